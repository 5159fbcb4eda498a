-- 0012_visit_invitations: per visit, the "Invitation rules" rule that invited the visitor
-- automatically (its name, shown to agents) and whether the visitor dismissed an invitation
-- (issue 17): at most one automatic invitation per visit, none after a dismissal.
ALTER TABLE visits ADD COLUMN auto_invitation TEXT;
ALTER TABLE visits ADD COLUMN invitation_dismissed BOOLEAN NOT NULL DEFAULT FALSE;
