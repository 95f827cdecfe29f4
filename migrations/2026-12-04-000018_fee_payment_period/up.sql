-- A payment says which kind of period it pays (month, quarter, year: the schedule that applied
-- to its unit), so that "quarter 3" is never read as "March" by a unit collecting monthly.
ALTER TABLE fee_payments ADD COLUMN period text CHECK (period IN ('month', 'quarter', 'year'));
UPDATE fee_payments p SET period = coalesce(
    (SELECT s.period FROM fee_schedules s JOIN org_units u ON u.id = s.unit_id
     WHERE s.year = p.year AND p.unit_path <@ u.path ORDER BY nlevel(u.path) DESC LIMIT 1),
    'month');
ALTER TABLE fee_payments ALTER COLUMN period SET NOT NULL;
ALTER TABLE fee_payments DROP CONSTRAINT fee_payments_member_id_year_period_no_key;
ALTER TABLE fee_payments ADD CONSTRAINT fee_payments_member_period_key UNIQUE (member_id, year, period, period_no);
