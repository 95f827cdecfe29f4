DROP INDEX attendance_activity;
