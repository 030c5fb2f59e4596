-- Twin of schema/postgresql/0011_leaner_touchpoint_merge.sql, which makes PostgreSQL's batch merge of
-- touchpoints do less work per batch. SQLite writes touchpoints row by row and has no such function:
-- nothing changes here. The version keeps both backends' schemas numbered alike.
SELECT 1;
