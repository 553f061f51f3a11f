'use strict';
// The benchmark's peer: six routes of kwaliteitsregister written the way a Node engineer would
// first write them (Fastify 5, pg, fast-jwt): plain queries, status rules in JavaScript, the same
// answers as the C service over the same database. One process.
//
// Environment: DATABASE_URL, PEER_PORT, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, TRUSTED_PROXIES,
// DB_POOL_SIZE (default 8).

const Fastify = require('fastify');
const pg = require('pg');
const { createVerifier } = require('fast-jwt');
const { randomUUID } = require('crypto');

// Dates stay 'YYYY-MM-DD' text (never a JS Date in local time); numerics stay text.
pg.types.setTypeParser(1082, (v) => v);

// Every query with parameters runs as a named prepared statement, so that each connection parses
// and plans a statement once, as the service's prepared statements are (pg's plain
// `query(text, values)` prepares an unnamed statement and plans it again on every call: the peer
// answered a certificate lookup at 1,400/s that way, spending 840 µs of PostgreSQL CPU on it).
const unnamedQuery = pg.Client.prototype.query;
const statementNames = new Map();
pg.Client.prototype.query = function query(config, values, callback) {
  if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
    let name = statementNames.get(config);
    if (!name) {
      name = `peer_${statementNames.size}`;
      statementNames.set(config, name);
    }
    return unnamedQuery.call(this, { name, text: config, values }, callback);
  }
  return unnamedQuery.call(this, config, values, callback);
};

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE || 8),
  application_name: 'bench-peer',
});

const verify = createVerifier({
  key: process.env.JWT_SECRET,
  algorithms: ['HS256'],
  allowedIss: process.env.JWT_ISSUER || 'kwaliteitsregister',
  allowedAud: process.env.JWT_AUDIENCE || 'kwaliteitsregister-api',
  requiredClaims: ['sub', 'role', 'exp', 'nbf', 'iat', 'jti'],
  clockTolerance: 30,
  cache: 1000, // the service remembers verified tokens per thread, too
});
const trustedProxies = new Set((process.env.TRUSTED_PROXIES || '').split(',').map((s) => s.trim()).filter(Boolean));
const LINKS = { professional: 'professionalId', organisation: 'organisationId', certifier: 'certifyingBodyId', municipality: 'municipalityCode' };

// ---- helpers --------------------------------------------------------------------------------
const UTC = (col) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const TITLES = {
  400: ['validation-error', 'The request has invalid or unknown fields'],
  401: ['unauthorized', 'Authentication is required'],
  403: ['forbidden', 'This account may not use this operation'],
  404: ['not-found', 'Not found'],
  409: ['conflict', 'The request conflicts with the current state'],
  429: ['too-many-requests', 'Too many requests'],
  500: ['internal-error', 'Internal server error'],
};

function problem(reply, req, status, detail, errors) {
  const [slug, title] = TITLES[status];
  const body = { type: `urn:kwaliteitsregister:problem:${slug}`, title, status, detail: detail || title, instance: req.url.split('?')[0] };
  if (errors && errors.length) body.errors = errors;
  return reply.code(status).type('application/problem+json').send(Buffer.from(JSON.stringify(body)));
}
function invalid(reply, req, errors) {
  return problem(reply, req, 400, errors.length === 1 ? 'One field is invalid; see errors.' : 'Several fields are invalid; see errors.', errors);
}
// (A Buffer, so that Fastify sends the type as set: the service answers without a charset.)
function json(reply, status, value) {
  return reply.code(status).type('application/json').send(Buffer.from(JSON.stringify(value)));
}
function onlyQuery(req, reply, allowed) {
  const errors = Object.keys(req.query || {}).filter((k) => !allowed.includes(k)).map((k) => ({ field: k, message: 'is not a known query parameter' }));
  if (errors.length) { invalid(reply, req, errors); return false; }
  return true;
}

// Today in Europe/Amsterdam, as the service's calendar dates are.
const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });
const today = () => dayFormat.format(new Date());
function validDate(t) {
  if (typeof t !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(t)) return false;
  const [y, m, d] = t.split('-').map(Number);
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
const isUuid = (s) => typeof s === 'string' && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
const chars = (s) => [...s].length;
const dayNumber = (d) => Math.round(Date.parse(d + 'T00:00:00Z') / 86400000);

async function inTransaction(fn, isolation) {
  const client = await pool.connect();
  try {
    await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation}` : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

// ---- auth -----------------------------------------------------------------------------------
// Verifies the bearer token; answers 401/403 itself and returns null, else the caller.
function authenticate(req, reply, roles) {
  const header = req.headers.authorization;
  const unauthorized = (why) => {
    reply.header('WWW-Authenticate', why ? `Bearer realm="kwaliteitsregister", error="invalid_token", error_description="${why}"` : 'Bearer realm="kwaliteitsregister"');
    problem(reply, req, 401, why || 'This operation needs an access token (Authorization: Bearer).');
    return null;
  };
  if (!header) return unauthorized(null);
  if (!/^bearer /i.test(header)) return unauthorized('the Authorization header must use the Bearer scheme');
  let claims;
  try {
    claims = verify(header.slice(7).trim());
  } catch (err) {
    return unauthorized(err.code === 'FAST_JWT_EXPIRED' ? 'the token has expired' : "the token's signature or format is not valid");
  }
  const linkField = LINKS[claims.role];
  const caller = { account: claims.sub, role: claims.role, link: linkField ? claims[linkField] : '' };
  if (!['admin', ...Object.keys(LINKS)].includes(claims.role) || caller.link === undefined || !isUuid(claims.sub)) {
    return unauthorized('the token lacks required claims');
  }
  if (roles && !roles.includes(caller.role)) {
    problem(reply, req, 403, 'Your role may not use this operation.');
    return null;
  }
  return caller;
}

function clientIp(req) {
  let ip = req.socket.remoteAddress || 'unknown';
  if (ip.startsWith('::ffff:')) ip = ip.slice(7);
  const xff = req.headers['x-forwarded-for'];
  if (!xff || !trustedProxies.has(ip)) return ip;
  const entries = xff.split(',').map((s) => s.trim());
  for (let i = entries.length - 1; i >= 0; i--) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(entries[i])) return ip;
    ip = entries[i];
    if (!trustedProxies.has(ip)) return ip;
  }
  return ip;
}

// Fixed-window rate limit per client address, in PostgreSQL (table rate_limits, as the service).
async function rateLimited(req, reply, bucket, limit, windowSeconds) {
  const { rows } = await pool.query(
    `INSERT INTO rate_limits (bucket, client, window_start, hits) VALUES ($1, $2, now(), 1)
     ON CONFLICT (bucket, client) DO UPDATE SET
       hits = CASE WHEN rate_limits.window_start + make_interval(secs => $3) <= now() THEN 1 ELSE rate_limits.hits + 1 END,
       window_start = CASE WHEN rate_limits.window_start + make_interval(secs => $3) <= now() THEN now() ELSE rate_limits.window_start END
     RETURNING hits, window_start`,
    [bucket, clientIp(req), windowSeconds]);
  if (rows[0].hits <= limit) return false;
  const retry = Math.max(1, Math.ceil((rows[0].window_start.getTime() + windowSeconds * 1000 - Date.now()) / 1000));
  reply.header('Retry-After', String(retry));
  problem(reply, req, 429, 'Too many requests from this address; wait before trying again.');
  return true;
}

// ---- certificates ---------------------------------------------------------------------------
// Status on a date from the dates and the recorded changes (in the order recorded).
function certificateStatus(cert, changes, on) {
  if (changes.some((c) => c.type === 'withdrawn' && c.effective_on <= on)) return 'withdrawn';
  if (on > cert.valid_until) return 'expired';
  if (on < cert.valid_from) return 'not_yet_valid';
  let latest = null;
  for (const c of changes) {
    if (c.type === 'withdrawn' || c.effective_on > on) continue;
    if (!latest || c.effective_on >= latest.effective_on) latest = c;
  }
  return latest && latest.type === 'suspended' ? 'suspended' : 'valid';
}

const CERT_SQL = `
  SELECT c.id, c.certificate_number, c.valid_from, c.valid_until, c.framework_version, c.audit_id,
         ${UTC('c.issued_at')} AS issued_at, c.organisation_id, o.name AS org_name, o.kvk_number, o.city,
         o.municipality_codes, c.certifying_body_id, b.name AS body_name, p.certificate_number AS previous_number
  FROM certificates c
  JOIN organisations o ON o.id = c.organisation_id
  JOIN certifying_bodies b ON b.id = c.certifying_body_id
  LEFT JOIN certificates p ON p.id = c.previous_certificate_id`;

async function getCertificate(req, reply) {
  let caller = null;
  if (req.headers.authorization) {
    caller = authenticate(req, reply, null);
    if (!caller) return;
  }
  if (!onlyQuery(req, reply, [])) return;
  const number = req.params.certificateNumber;
  if (!/^KSW-\d{4}-\d{6}$/.test(number)) return invalid(reply, req, [{ field: 'certificateNumber', message: 'must look like KSW-2024-000123' }]);
  const { rows } = await pool.query(`${CERT_SQL} WHERE c.certificate_number = $1`, [number]);
  const notFound = () => problem(reply, req, 404, 'There is no such certificate.');
  if (!rows.length) return notFound();
  const c = rows[0];
  if (caller) {
    const entitled = caller.role === 'admin' || caller.role === 'municipality' ||
      (caller.role === 'organisation' && caller.link === c.organisation_id) ||
      (caller.role === 'certifier' && caller.link === c.certifying_body_id);
    if (!entitled) return notFound();
  }
  const changes = (await pool.query(
    `SELECT type, effective_on FROM certificate_events
     WHERE certificate_id = $1 AND type IN ('suspended', 'reinstated', 'withdrawn') ORDER BY id`, [c.id])).rows;
  const status = certificateStatus(c, changes, today());
  const organisation = { name: c.org_name, kvkNumber: c.kvk_number, city: c.city, municipalityCodes: c.municipality_codes };
  const view = {
    certificateNumber: c.certificate_number, validFrom: c.valid_from, validUntil: c.valid_until,
    organisation, frameworkVersion: c.framework_version, certifyingBody: { name: c.body_name }, status,
  };
  if (!caller) {
    if (status === 'withdrawn') return notFound();
    return json(reply, 200, view);
  }
  organisation.id = c.organisation_id;
  view.certifyingBody.id = c.certifying_body_id;
  Object.assign(view, { auditId: c.audit_id, issuedAt: c.issued_at, previousCertificateNumber: c.previous_number });
  return json(reply, 200, view);
}

// ---- certification checks -------------------------------------------------------------------
// Which certificate a check shows: one valid on the date; else one whose validity covers it;
// else the latest that started before; else the earliest that starts later.
function pickCertificate(certs, on) {
  let covering = -1, started = -1, later = -1;
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i];
    if (c.status === 'valid') return i;
    if (c.valid_from <= on && on <= c.valid_until) { if (covering < 0) covering = i; }
    else if (c.valid_from <= on) { if (started < 0 || c.valid_from >= certs[started].valid_from) started = i; }
    else if (later < 0 || c.valid_from < certs[later].valid_from) later = i;
  }
  return covering >= 0 ? covering : started >= 0 ? started : later;
}

// Loads organisations, their certificates and events for many KvK numbers at once.
async function checkSubjects(client, kvks, on) {
  const orgs = (await client.query(
    'SELECT id, name, kvk_number, city, municipality_codes FROM organisations WHERE kvk_number = ANY($1)', [kvks])).rows;
  const byKvk = new Map(orgs.map((o) => [o.kvk_number, { org: o, certs: [] }]));
  if (orgs.length) {
    const certs = (await client.query(
      `SELECT c.id, c.organisation_id, c.certificate_number, c.valid_from, c.valid_until, c.framework_version,
              c.certifying_body_id, b.name AS body_name
       FROM certificates c JOIN certifying_bodies b ON b.id = c.certifying_body_id
       WHERE c.organisation_id = ANY($1) ORDER BY c.valid_from, c.issued_at`, [orgs.map((o) => o.id)])).rows;
    const events = certs.length ? (await client.query(
      `SELECT certificate_id, type, effective_on, ${UTC('recorded_at')} AS recorded_at
       FROM certificate_events WHERE certificate_id = ANY($1) ORDER BY id`, [certs.map((c) => c.id)])).rows : [];
    const eventsOf = new Map();
    for (const e of events) {
      if (!eventsOf.has(e.certificate_id)) eventsOf.set(e.certificate_id, []);
      eventsOf.get(e.certificate_id).push(e);
    }
    const orgById = new Map(orgs.map((o) => [o.id, byKvk.get(o.kvk_number)]));
    for (const c of certs) {
      c.events = eventsOf.get(c.id) || [];
      c.status = certificateStatus(c, c.events.filter((e) => e.type !== 'issued' && e.type !== 'expired'), on);
      orgById.get(c.organisation_id).certs.push(c);
    }
  }
  return kvks.map((kvk) => {
    const found = byKvk.get(kvk);
    const result = { kvkNumber: kvk, on, certified: false, organisation: null, certificate: null };
    if (!found) return result;
    const o = found.org;
    result.organisation = { id: o.id, name: o.name, kvkNumber: o.kvk_number, city: o.city, municipalityCodes: o.municipality_codes };
    const pick = pickCertificate(found.certs, on);
    if (pick >= 0) {
      const c = found.certs[pick];
      result.certified = c.status === 'valid';
      result.certificate = {
        certificateNumber: c.certificate_number, validFrom: c.valid_from, validUntil: c.valid_until,
        frameworkVersion: c.framework_version, certifyingBody: { id: c.certifying_body_id, name: c.body_name },
        status: c.status,
        changes: c.events.map((e) => ({ type: e.type, effectiveOn: e.effective_on, recordedAt: e.recorded_at })),
      };
    }
    return result;
  });
}

// The check log: one row per check, its numbers and answers as arrays in input order (sql/0012).
async function logChecks(client, caller, on, results) {
  if (caller.role !== 'municipality') return;
  await client.query(
    `INSERT INTO certification_check_log (account_id, municipality_code, on_date, kvk_numbers, certified)
     VALUES ($1, $2, $3, $4::text[], $5::boolean[])`,
    [caller.account, caller.link, on, results.map((r) => r.kvkNumber), results.map((r) => r.certified)]);
}

const kvkValid = (k) => typeof k === 'string' && /^\d{8}$/.test(k);

async function singleCheck(req, reply) {
  const caller = authenticate(req, reply, ['admin', 'municipality']);
  if (!caller || !onlyQuery(req, reply, ['kvkNumber', 'on'])) return;
  const { kvkNumber, on = today() } = req.query;
  const errors = [];
  if (kvkNumber === undefined) errors.push({ field: 'kvkNumber', message: 'is required' });
  else if (!kvkValid(kvkNumber)) errors.push({ field: 'kvkNumber', message: 'must be 8 digits' });
  if (!validDate(on)) errors.push({ field: 'on', message: 'must be a date (YYYY-MM-DD)' });
  if (errors.length) return invalid(reply, req, errors);
  const [result] = await inTransaction(async (client) => {
    const results = await checkSubjects(client, [kvkNumber], on);
    await logChecks(client, caller, on, results);
    return results;
  });
  return json(reply, 200, result);
}

async function bulkCheck(req, reply) {
  const caller = authenticate(req, reply, ['admin', 'municipality']);
  if (!caller) return;
  const body = req.body;
  const errors = [];
  const numbers = body.kvkNumbers;
  if (numbers === undefined) errors.push({ field: 'kvkNumbers', message: 'is required' });
  else if (numbers === null) errors.push({ field: 'kvkNumbers', message: 'may not be null' });
  else if (!Array.isArray(numbers)) errors.push({ field: 'kvkNumbers', message: 'must be an array' });
  if (body.on !== undefined && body.on !== null && typeof body.on !== 'string') errors.push({ field: 'on', message: 'must be a string' });
  if (body.on === null) errors.push({ field: 'on', message: 'may not be null' });
  for (const k of Object.keys(body)) if (k !== 'kvkNumbers' && k !== 'on') errors.push({ field: k, message: 'is not a known field' });
  if (Array.isArray(numbers) && (numbers.length < 1 || numbers.length > 1000)) errors.push({ field: 'kvkNumbers', message: 'must hold 1 to 1000 KvK numbers' });
  if (Array.isArray(numbers)) numbers.forEach((k, i) => { if (!kvkValid(k)) errors.push({ field: `kvkNumbers[${i}]`, message: 'must be 8 digits' }); });
  const on = typeof body.on === 'string' ? body.on : today();
  if (!validDate(on)) errors.push({ field: 'on', message: 'must be a date (YYYY-MM-DD)' });
  if (errors.length) return invalid(reply, req, errors);
  const results = await inTransaction(async (client) => {
    const r = await checkSubjects(client, numbers, on);
    await logChecks(client, caller, on, r);
    return r;
  }, 'REPEATABLE READ');
  return json(reply, 200, { on, results });
}

// ---- development activities -----------------------------------------------------------------
const b64url = (s) => Buffer.from(s).toString('base64url');

async function activityPage(req, reply) {
  const caller = authenticate(req, reply, ['admin', 'professional']);
  if (!caller || !onlyQuery(req, reply, ['limit', 'cursor', 'period', 'category', 'type', 'status'])) return;
  const id = req.params.professionalId;
  if (!isUuid(id)) return invalid(reply, req, [{ field: 'professionalId', message: 'must be a UUID' }]);
  const missing = () => problem(reply, req, 404, 'There is no such professional.');
  if (caller.role !== 'admin' && caller.link !== id) return missing();
  const errors = [];
  let limit = 20;
  if (req.query.limit !== undefined) {
    const l = req.query.limit;
    if (!/^-?\d+$/.test(l) || Number(l) < 1 || Number(l) > 100) errors.push({ field: 'limit', message: 'must be a whole number from 1 to 100' });
    else limit = Number(l);
  }
  let after = null;
  if (req.query.cursor !== undefined) {
    const raw = Buffer.from(String(req.query.cursor), 'base64url').toString();
    const m = /^(-?\d+)\.(.+)$/.exec(raw);
    if (!m || !isUuid(m[2])) errors.push({ field: 'cursor', message: 'is not a cursor this list gave out' });
    else after = { day: Number(m[1]), id: m[2] };
  }
  // (period, category, type and status filters are not benched; the peer serves the plain list)
  for (const k of ['period', 'category', 'type', 'status']) if (req.query[k] !== undefined) errors.push({ field: k, message: 'is not supported by the bench peer' });
  const exists = await pool.query('SELECT 1 FROM professionals WHERE id = $1', [id]);
  if (!exists.rowCount) return missing();
  if (errors.length) return invalid(reply, req, errors);
  const params = [id, limit + 1];
  let where = 'a.professional_id = $1';
  if (after) {
    params.push(after.day, after.id);
    where += ` AND (a.started_on - date '1970-01-01', a.id) > ($3::int, $4::uuid)`;
  }
  const { rows } = await pool.query(
    `SELECT a.id, a.type, t.category, a.title, a.provider, a.started_on, a.completed_on, a.hours,
            a.competence_codes, a.reflection, a.supervised_by, a.status,
            ${UTC('a.created_at')} AS created_at, ${UTC('a.updated_at')} AS updated_at
     FROM development_activities a JOIN activity_types t ON t.type = a.type
     WHERE ${where} ORDER BY a.started_on, a.id LIMIT $2`, params);
  const page = rows.slice(0, limit);
  const evidence = new Map();
  if (page.length) {
    const files = await pool.query(
      `SELECT id, activity_id, file_name, content_type, size_bytes, sha256, ${UTC('uploaded_at')} AS uploaded_at
       FROM evidence_files WHERE activity_id = ANY($1) ORDER BY uploaded_at, id`, [page.map((a) => a.id)]);
    for (const f of files.rows) {
      if (!evidence.has(f.activity_id)) evidence.set(f.activity_id, []);
      evidence.get(f.activity_id).push({ id: f.id, fileName: f.file_name, contentType: f.content_type, sizeBytes: f.size_bytes, sha256: f.sha256, uploadedAt: f.uploaded_at });
    }
  }
  const items = page.map((a) => ({
    id: a.id, type: a.type, category: a.category, title: a.title, provider: a.provider,
    startedOn: a.started_on, completedOn: a.completed_on, hours: Number(a.hours), competenceCodes: a.competence_codes,
    reflection: a.reflection, supervisedBy: a.supervised_by, status: a.status, evidence: evidence.get(a.id) || [],
    createdAt: a.created_at, updatedAt: a.updated_at,
  }));
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? b64url(`${dayNumber(last.started_on)}.${last.id}`) : null;
  return json(reply, 200, { items, nextCursor });
}

// ---- audit outcome --------------------------------------------------------------------------
const OUTCOME_FIELDS = [
  ['auditedOn', 'string', true, false, false], ['auditors', 'array', true, false, false],
  ['advice', 'string', true, false, false], ['reportReference', 'string', true, false, false],
  ['learningReport', 'string', false, true, false], ['scores', 'array', true, false, false],
  ['auditId', 'string', false, false, true], ['counts', 'object', false, false, true],
  ['meetsThreshold', 'boolean', false, false, true], ['submittedAt', 'string', false, false, true],
  ['updatedAt', 'string', false, false, true],
];
const TYPE_OK = { string: (v) => typeof v === 'string', array: Array.isArray, object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), boolean: (v) => typeof v === 'boolean' };
const TYPE_MESSAGE = { string: 'must be a string', array: 'must be an array', object: 'must be an object', boolean: 'must be true or false' };

function checkFields(body, fields, errors) {
  for (const [name, type, required, nullable, readOnly] of fields) {
    const v = body[name];
    if (readOnly) { if (v !== undefined) errors.push({ field: name, message: 'is read-only' }); }
    else if (v === undefined) { if (required) errors.push({ field: name, message: 'is required' }); }
    else if (v === null) { if (!nullable) errors.push({ field: name, message: 'may not be null' }); }
    else if (!TYPE_OK[type](v)) errors.push({ field: name, message: TYPE_MESSAGE[type] });
  }
  for (const k of Object.keys(body)) if (!fields.some((f) => f[0] === k)) errors.push({ field: k, message: 'is not a known field' });
}
function checkText(body, name, min, max, errors) {
  if (typeof body[name] !== 'string') return;
  const n = chars(body[name]);
  if (n < min || n > max) errors.push({ field: name, message: `must have ${min} to ${max} characters` });
}

// Every norm exactly once, a known score, a finding; returns the counts.
function checkScores(scores, codes, errors) {
  const counts = { met: 0, partiallyMet: 0, notMet: 0 };
  const seen = new Set();
  scores.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) { errors.push({ field: `scores[${i}]`, message: 'must be an object' }); return; }
    for (const [k, v] of Object.entries(item)) {
      const field = `scores[${i}].${k.slice(0, 40)}`;
      if (!['normCode', 'score', 'finding'].includes(k)) errors.push({ field, message: 'is not a known field' });
      else if (typeof v !== 'string') errors.push({ field, message: 'must be a string' });
    }
    if (item.finding === undefined) errors.push({ field: `scores[${i}].finding`, message: 'is required' });
    const code = typeof item.normCode === 'string' ? item.normCode : null;
    if (item.normCode === undefined) errors.push({ field: `scores[${i}].normCode`, message: 'is required' });
    else if (code !== null && !codes.includes(code)) errors.push({ field: `scores[${i}].normCode`, message: `${code.slice(0, 40)} is not a norm of this framework` });
    else if (code !== null && seen.has(code)) errors.push({ field: `scores[${i}].normCode`, message: `${code.slice(0, 40)} is scored more than once` });
    if (code !== null && codes.includes(code)) seen.add(code);
    const score = typeof item.score === 'string' ? item.score : null;
    if (item.score === undefined) errors.push({ field: `scores[${i}].score`, message: 'is required' });
    else if (score === 'met') counts.met++;
    else if (score === 'partially_met') counts.partiallyMet++;
    else if (score === 'not_met') counts.notMet++;
    else if (score !== null) errors.push({ field: `scores[${i}].score`, message: 'must be met, partially_met or not_met' });
  });
  for (const code of codes) if (!seen.has(code)) errors.push({ field: 'scores', message: `no score for norm ${code.slice(0, 40)}` });
  return counts;
}

async function putOutcome(req, reply) {
  const caller = authenticate(req, reply, ['admin', 'organisation', 'certifier']);
  if (!caller) return;
  const body = req.body;
  const auditId = req.params.auditId;
  if (!isUuid(auditId)) return invalid(reply, req, [{ field: 'auditId', message: 'must be a UUID' }]);
  const notFound = 'There is no such audit.';
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const done = async (fn) => { await client.query('ROLLBACK'); return fn(); };
    const { rows } = await client.query(
      'SELECT id, organisation_id, certifying_body_id, kind, status, framework_version FROM audits WHERE id = $1 FOR UPDATE', [auditId]);
    const a = rows[0];
    const visible = a && (caller.role === 'admin' || (caller.role === 'organisation' && caller.link === a.organisation_id) ||
      (caller.role === 'certifier' && caller.link === a.certifying_body_id));
    if (!visible) return done(() => problem(reply, req, 404, notFound));
    const intercollegial = a.kind === 'intercollegial';
    const mayEnter = intercollegial ? caller.role === 'admin' || (caller.role === 'organisation' && caller.link === a.organisation_id)
      : caller.role === 'certifier' && caller.link === a.certifying_body_id;
    if (!mayEnter) {
      return done(() => problem(reply, req, 403, intercollegial ? 'The organisation or the label office enters an intercollegial outcome.'
        : 'Only the assigned certifying body submits this outcome.'));
    }
    if (['granted', 'refused', 'cancelled'].includes(a.status)) {
      return done(() => problem(reply, req, 409, 'The audit is decided or cancelled: its outcome is frozen.'));
    }
    const errors = [];
    checkFields(body, OUTCOME_FIELDS, errors);
    const todayText = today();
    let audited = null;
    if (body.auditedOn !== undefined && body.auditedOn !== null) {
      if (validDate(body.auditedOn)) audited = body.auditedOn;
      else errors.push({ field: 'auditedOn', message: 'must be a date (YYYY-MM-DD)' });
    }
    if (audited && audited > todayText) errors.push({ field: 'auditedOn', message: 'may not be in the future' });
    if (Array.isArray(body.auditors)) {
      if (body.auditors.length < 1 || body.auditors.length > 10) errors.push({ field: 'auditors', message: 'must name 1 to 10 auditors' });
      if (body.auditors.some((n) => typeof n !== 'string' || !n || Buffer.byteLength(n) > 200)) errors.push({ field: 'auditors', message: 'must hold names of 1 to 200 characters' });
    }
    if (typeof body.advice === 'string' && !['positive', 'negative'].includes(body.advice)) errors.push({ field: 'advice', message: 'must be positive or negative' });
    checkText(body, 'reportReference', 1, 200, errors);
    checkText(body, 'learningReport', 1, 20000, errors);
    if (body.learningReport !== undefined && body.learningReport !== null && !intercollegial) {
      errors.push({ field: 'learningReport', message: 'belongs to an intercollegial audit only' });
    }
    if (audited && !intercollegial && audited <= todayText) {
      const covered = await client.query(
        `SELECT 1 FROM certifying_body_agreements WHERE certifying_body_id = $1 AND valid_from <= $2
         AND (valid_until IS NULL OR valid_until >= $2) LIMIT 1`, [a.certifying_body_id, audited]);
      if (!covered.rowCount) errors.push({ field: 'auditedOn', message: 'no framework agreement of the certifying body covers this date' });
    }
    const fw = (await client.query('SELECT max_partially_met, max_not_met FROM norm_frameworks WHERE version = $1', [a.framework_version])).rows[0];
    const codes = (await client.query('SELECT code FROM norms WHERE framework_version = $1 ORDER BY position', [a.framework_version])).rows.map((r) => r.code);
    let counts = { met: 0, partiallyMet: 0, notMet: 0 };
    if (Array.isArray(body.scores)) counts = checkScores(body.scores, codes, errors);
    if (errors.length) return done(() => invalid(reply, req, errors));
    const meets = counts.partiallyMet <= fw.max_partially_met && counts.notMet <= fw.max_not_met;
    const learning = typeof body.learningReport === 'string' ? body.learningReport : null;
    const saved = (await client.query(
      `INSERT INTO audit_outcomes (audit_id, audited_on, auditors, advice, report_reference, learning_report,
                                   met, partially_met, not_met, meets_threshold, submitted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (audit_id) DO UPDATE SET audited_on = excluded.audited_on, auditors = excluded.auditors,
         advice = excluded.advice, report_reference = excluded.report_reference, learning_report = excluded.learning_report,
         met = excluded.met, partially_met = excluded.partially_met, not_met = excluded.not_met,
         meets_threshold = excluded.meets_threshold, submitted_by = excluded.submitted_by, updated_at = clock_timestamp()
       RETURNING ${UTC('submitted_at')} AS submitted_at, ${UTC('updated_at')} AS updated_at`,
      [a.id, audited, body.auditors, body.advice, body.reportReference, learning, counts.met, counts.partiallyMet,
        counts.notMet, meets, caller.account])).rows[0];
    await client.query('DELETE FROM audit_outcome_scores WHERE audit_id = $1', [a.id]);
    await client.query(
      `INSERT INTO audit_outcome_scores (audit_id, norm_code, position, score, finding)
       SELECT $1, code, ord, score, finding FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(code, score, finding, ord)`,
      [a.id, body.scores.map((s) => s.normCode), body.scores.map((s) => s.score), body.scores.map((s) => s.finding)]);
    await client.query("UPDATE audits SET status = 'outcome_submitted' WHERE id = $1", [a.id]);
    await client.query('COMMIT');
    // the audit trail's row, as the service appends it after every write (sql/0025, 0028)
    await client.query('SELECT kr_audit_append($1, $2, $3, $4, $5, $6, $7)',
      [caller.account, caller.role, 'PUT', '/v1/audits/{auditId}/outcome', [a.id], 200,
        req.headers['x-request-id'] || randomUUID()]);
    return json(reply, 200, {
      auditId: a.id, auditedOn: audited, auditors: body.auditors, advice: body.advice, reportReference: body.reportReference,
      learningReport: learning,
      scores: body.scores.map((s) => ({ normCode: s.normCode, score: s.score, finding: s.finding })),
      counts, meetsThreshold: meets, submittedAt: saved.submitted_at, updatedAt: saved.updated_at,
    });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

// ---- public register ------------------------------------------------------------------------
function registrationStatus(p, periods, measures, on) {
  if (p.state === 'applied') return 'applied';
  if (p.state === 'rejected') return 'rejected';
  if (measures.some((m) => m.type === 'striking_off' && m.starts_on <= on)) return 'struck_off';
  if (p.state === 'deregistered' && p.deregistered_on && p.deregistered_on <= on) return 'deregistered';
  if (!periods.length || on < periods[0].starts_on) return 'applied';
  if (on > periods[periods.length - 1].ends_on) return 'expired';
  for (const m of measures) {
    if (m.type !== 'suspension' || on < m.starts_on) continue;
    let last = m.ends_on || on;
    if (m.ended_on) {
      const before = new Date(Date.parse(m.ended_on + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);
      if (before < last) last = before;
    }
    if (on <= last) return 'suspended';
  }
  return 'registered';
}

async function publicRegister(req, reply) {
  if (!onlyQuery(req, reply, ['on'])) return;
  const number = req.params.registrationNumber;
  if (!/^RSW\d{7}$/.test(number)) return invalid(reply, req, [{ field: 'registrationNumber', message: 'must look like RSW0000123' }]);
  const on = req.query.on === undefined ? today() : req.query.on;
  if (!validDate(on)) return invalid(reply, req, [{ field: 'on', message: 'must be a date (YYYY-MM-DD)' }]);
  if (await rateLimited(req, reply, 'register', 120, 60)) return;
  const { rows } = await pool.query(
    `SELECT p.registration_number, p.given_name, p.family_name, p.profile, p.state, p.deregistered_on,
       coalesce((SELECT json_agg(json_build_object('starts_on', r.starts_on, 'ends_on', r.ends_on) ORDER BY r.number)
                 FROM registration_periods r WHERE r.professional_id = p.id), '[]') AS periods,
       coalesce((SELECT json_agg(json_build_object('type', m.type, 'starts_on', m.starts_on, 'ends_on', m.ends_on,
                                                   'ended_on', m.ended_on, 'public', m.public) ORDER BY m.starts_on, m.id)
                 FROM measures m WHERE m.professional_id = p.id AND m.revoked_on IS NULL), '[]') AS measures
     FROM professionals p WHERE p.registration_number = $1`, [number]);
  const notFound = () => problem(reply, req, 404, 'There is no such registration.');
  if (!rows.length) return notFound();
  const p = rows[0];
  const status = registrationStatus(p, p.periods, p.measures, on);
  if (['applied', 'rejected', 'deregistered'].includes(status)) return notFound();
  return json(reply, 200, {
    registrationNumber: p.registration_number, givenName: p.given_name, familyName: p.family_name, profile: p.profile,
    status, statusOn: on,
    periods: p.periods.map((r) => ({ startsOn: r.starts_on, endsOn: r.ends_on })),
    measures: p.measures.filter((m) => m.public).map((m) => ({ type: m.type, startsOn: m.starts_on, endsOn: m.ends_on })),
  });
}

// ---- server ---------------------------------------------------------------------------------
const app = Fastify({ logger: false, bodyLimit: 1048576 });
app.addHook('onSend', async (req, reply) => {
  reply.header('Cache-Control', 'no-store');
  reply.header('X-Content-Type-Options', 'nosniff');
});
app.setErrorHandler((err, req, reply) => {
  if (err.statusCode === 400 && err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(reply, req, 400, err.message);
  if (err.statusCode && err.statusCode < 500) {
    return reply.code(err.statusCode).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: err.message, status: err.statusCode }));
  }
  req.log.error(err);
  console.error(err);
  return problem(reply, req, 500);
});
app.get('/healthz', async (req, reply) => json(reply, 200, { status: 'ok' }));
app.get('/v1/certificates/:certificateNumber', getCertificate);
app.get('/v1/certification-checks', singleCheck);
app.post('/v1/certification-checks', bulkCheck);
app.get('/v1/professionals/:professionalId/development-activities', activityPage);
app.put('/v1/audits/:auditId/outcome', putOutcome);
app.get('/v1/register/:registrationNumber', publicRegister);

const stop = async () => { await app.close(); await pool.end(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
app.listen({ port: Number(process.env.PEER_PORT || 8081), host: '127.0.0.1' }).catch((err) => { console.error(err); process.exit(1); });
