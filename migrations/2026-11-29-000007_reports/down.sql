DROP TABLE report_submissions;
DROP TABLE unit_ratings;
DROP TABLE rating_scales;
