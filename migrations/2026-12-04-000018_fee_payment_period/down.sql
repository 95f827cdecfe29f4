ALTER TABLE fee_payments DROP CONSTRAINT fee_payments_member_period_key;
DELETE FROM fee_payments a USING fee_payments b
 WHERE a.member_id = b.member_id AND a.year = b.year AND a.period_no = b.period_no AND a.id > b.id;
ALTER TABLE fee_payments ADD CONSTRAINT fee_payments_member_id_year_period_no_key UNIQUE (member_id, year, period_no);
ALTER TABLE fee_payments DROP COLUMN period;
