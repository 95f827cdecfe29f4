-- PUT /activities/{id}/attendance: a 60-member roster as one upsert, for a meeting and a version
-- of its roster drawn at random from bench_rosters (made by bench/workloads.sh, the same rosters
-- the servers get). Variable: rosters (how many rows bench_rosters has).
\set k random(1, :rosters)
SELECT activity, ids, statuses FROM bench_rosters WHERE k = :k \gset
INSERT INTO attendance (id, activity_id, member_id, status)
SELECT gen_random_uuid(), ':activity', e.member_id, e.status
FROM unnest(':ids'::uuid[], ':statuses'::text[]) AS e(member_id, status)
ON CONFLICT (activity_id, member_id) WHERE member_id IS NOT NULL DO UPDATE SET status = EXCLUDED.status;
