-- PUT /activities/{id}/attendance: a 60-member roster as one upsert. Variables: activity, ids
-- (a uuid array literal), statuses (a text array literal).
INSERT INTO attendance (id, activity_id, member_id, status)
SELECT gen_random_uuid(), ':activity', e.member_id, e.status
FROM unnest(':ids'::uuid[], ':statuses'::text[]) AS e(member_id, status)
ON CONFLICT (activity_id, member_id) WHERE member_id IS NOT NULL DO UPDATE SET status = EXCLUDED.status;
