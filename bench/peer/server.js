// The benchmarks' peer (issue 9): what a team might build instead of chihoi — a generic REST
// layer over the same tables with fastify and node-postgres, 2 worker processes, an HS256 JWT
// check (the same secret as chihoi's bench server), and the same URLs for the workloads.
// No scopes, no audit, no validation beyond what the SQL needs: the cheapest honest peer.
//   PEER_PORT=18081 DATABASE_URL=postgres://… JWT_SECRET_B64=… node server.js
import cluster from 'node:cluster';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const workers = Number(process.env.PEER_WORKERS || 2);
if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => { if (code !== 0) process.exit(code); });
} else {
  const secret = Buffer.from(process.env.JWT_SECRET_B64, 'base64');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PEER_POOL || 8) });
  const app = Fastify({ logger: false });
  const MEMBER = `id, family_name, middle_name, given_name, sex, birth_date, birth_year, phone, address, occupation,
    education, joined_on, card_number, member_type, pioneer, status, unit_id, version, created_at, updated_at`;
  const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase().trim();

  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization || '';
    try {
      jwt.verify(header.replace(/^Bearer /, ''), secret, { algorithms: ['HS256'], audience: 'chihoi-api', issuer: 'chihoi' });
    } catch {
      return reply.code(401).send({ code: 'unauthorized' });
    }
  });
  app.get('/api/v1/members/:id', async (req, reply) => {
    const { rows } = await pool.query(`SELECT ${MEMBER} FROM members WHERE id = $1`, [req.params.id]);
    return rows.length ? rows[0] : reply.code(404).send({ code: 'not_found' });
  });
  app.get('/api/v1/members', async (req) => {
    const limit = Math.min(Number(req.query.limit || 20), 100);
    if (req.query.q) {
      const { rows } = await pool.query(
        `SELECT ${MEMBER} FROM members WHERE search_key LIKE '%' || $1 || '%' ORDER BY sort_key, id LIMIT $2`,
        [fold(req.query.q), limit]);
      return { items: rows };
    }
    const { rows } = await pool.query(
      `SELECT ${MEMBER} FROM members WHERE unit_path <@ (SELECT path FROM org_units WHERE id = $1)
       ORDER BY sort_key, id LIMIT $2`, [req.query.unit, limit]);
    return { items: rows };
  });
  app.put('/api/v1/activities/:id/attendance', async (req) => {
    const entries = req.body.entries || [];
    await pool.query(
      `INSERT INTO attendance (id, activity_id, member_id, status)
       SELECT gen_random_uuid(), $1, e.member_id, e.status
       FROM unnest($2::uuid[], $3::text[]) AS e(member_id, status)
       ON CONFLICT (activity_id, member_id) WHERE member_id IS NOT NULL DO UPDATE SET status = EXCLUDED.status`,
      [req.params.id, entries.map((e) => e.member_id), entries.map((e) => e.status)]);
    return { activity_id: req.params.id, recorded: entries.length };
  });
  app.get('/api/v1/reports/kpis', async (req) => {
    const { rows } = await pool.query(process.env.KPI_SQL, [req.query.unit, req.query.from, req.query.to]);
    return rows[0];
  });
  app.listen({ host: '127.0.0.1', port: Number(process.env.PEER_PORT || 18081) });
}
