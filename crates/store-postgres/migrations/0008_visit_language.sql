-- 0008_visit_language: the widget's language in each visit ("de"; issue 17), shown as
-- "Language" in Visit Detail. NULL for visits recorded before.
ALTER TABLE visits ADD COLUMN language TEXT;
