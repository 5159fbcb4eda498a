-- PLACEHOLDER for the `search` helper's 0005_search.sql (issue 15). The reports branch needs
-- migration versions to count up without a gap, so it carries this empty step; at merge the
-- search branch's file replaces this one (keep theirs).
SELECT 1;
