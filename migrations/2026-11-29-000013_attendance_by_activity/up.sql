-- Reading or replacing one activity's roster filters attendance by activity alone; the partial
-- indexes (member rows, prospect rows) do not serve that, and on 11 million rows the roster
-- endpoints took 1.5 s each (found by bench/workloads.sh).
CREATE INDEX attendance_activity ON attendance (activity_id);
