// The clients of bench/sse-fanout: many SSE viewers of one container's live log,
// the delivery latency of every line at every client, and medic's memory and CPU
// meanwhile. Plain Node.js (20+), no packages. bench/sse-fanout starts it with
// the container printing nothing yet; this process:
//   1. reads medic's RSS (/proc/PID/status) with no client;
//   2. forks WORKERS processes that open CLIENTS connections between them to
//      GET /api/docker/logs/NAME/stream?tail=0 (token header), ramped up
//      (RAMP_BATCH per worker every RAMP_INTERVAL_MS), and checks each got 200;
//   3. waits until medic's /metrics counts every client as a viewer of the log
//      (medic_sse_clients), reads medic's RSS again;
//   4. `docker exec NAME touch /tmp/go`: the container prints LINES lines
//      "bench-sse N/LINES" at RATE a second;
//   5. each client notes, for each line, its receive time (performance.timeOrigin
//      + performance.now(), ms) minus the line's id (the time dockerd stamped
//      it, ns); a worker is done when all of its clients have the last line, or
//      at the deadline (LINES / RATE * 1.5 + 20 s after step 4);
//   6. reads medic's RSS and CPU (utime + stime over steps 4-5), closes the
//      clients, waits until medic counts none, and prints the report.
// Every wait has a deadline; on any failure the workers are killed and the exit
// code is 1.
//
//   node bench/sse-fanout.mjs    (settings in the environment, see `settings`)

import { execFile, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function setting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      throw new Error(`${name} is not set`);
    }
    return fallback;
  }
  return value;
}

function number(name, fallback, low, high) {
  const value = Number(setting(name, fallback === undefined ? undefined : String(fallback)));
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new Error(`${name} must be an integer ${low}..${high}`);
  }
  return value;
}

// ---- worker: a share of the clients -------------------------------------------------------------

function runWorker() {
  let clients = [];
  let lines = 0;
  let firstRecv = null; // per line: the earliest receive time in this worker
  let lastRecv = null; // per line: the latest
  let lineMs = null; // per line: its id in ms
  let samples = null; // latency of every (client, line), ms; NaN when not received
  let cpuAtGo = null;
  let finished = false;
  let checkTimer = null;

  const send = (message) => process.send(message);

  function openOne(index, settings) {
    const client = {
      index,
      status: 0,
      failure: '',
      received: 0,
      duplicates: 0,
      outOfOrder: 0,
      lastSeq: 0,
      closedEarly: false,
      otherEvents: [],
      buffer: '',
      request: null,
    };
    clients.push(client);
    return new Promise((resolve) => {
      const request = http.get(
        `${settings.url}?tail=0`,
        {
          agent: false,
          headers: { Authorization: `Bearer ${settings.token}`, Accept: 'text/event-stream' },
          timeout: settings.connectTimeoutMs,
        },
        (response) => {
          client.status = response.statusCode;
          request.setTimeout(0);
          if (response.statusCode !== 200) {
            response.resume();
            resolve();
            return;
          }
          response.setEncoding('utf8');
          response.on('data', (chunk) => onData(client, chunk));
          response.on('close', () => {
            if (!finished) {
              client.closedEarly = true;
            }
          });
          resolve();
        },
      );
      client.request = request;
      request.on('timeout', () => request.destroy(new Error('no response header in time')));
      request.on('error', (error) => {
        if (!client.status) {
          client.failure = error.message;
          resolve();
        } else if (!finished) {
          client.closedEarly = true;
        }
      });
    });
  }

  function onData(client, chunk) {
    const at = now();
    client.buffer += chunk;
    let end;
    while ((end = client.buffer.indexOf('\n\n')) >= 0) {
      const block = client.buffer.slice(0, end);
      client.buffer = client.buffer.slice(end + 2);
      let id = '';
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data = line.slice(6);
      }
      if (event === 'line') {
        onLine(client, id, data, at);
      } else if (event !== 'live' && (event !== 'message' || data !== '')) {
        // `live` marks the end of the backlog (none with tail=0); others are noted
        if (client.otherEvents.length < 5) client.otherEvents.push(`${event}: ${data}`.slice(0, 200));
      }
    }
  }

  function onLine(client, id, data, at) {
    if (!samples || !/^\d+$/.test(id)) return; // a line before the go (none is expected with tail=0)
    let text;
    try {
      text = JSON.parse(data).text;
    } catch {
      return;
    }
    const found = /^bench-sse (\d+)\//.exec(text ?? '');
    if (!found) return;
    const seq = Number(found[1]);
    if (seq < 1 || seq > lines) return;
    const slot = client.index * lines + (seq - 1);
    if (!Number.isNaN(samples[slot])) {
      client.duplicates += 1;
      return;
    }
    if (seq < client.lastSeq) client.outOfOrder += 1;
    client.lastSeq = Math.max(client.lastSeq, seq);
    const ms = Number(BigInt(id) / 1000n) / 1000; // ns -> ms, to the microsecond
    samples[slot] = at - ms;
    client.received += 1;
    lineMs[seq - 1] = ms;
    if (Number.isNaN(firstRecv[seq - 1]) || at < firstRecv[seq - 1]) firstRecv[seq - 1] = at;
    if (Number.isNaN(lastRecv[seq - 1]) || at > lastRecv[seq - 1]) lastRecv[seq - 1] = at;
  }

  function report(reason) {
    if (finished) return;
    finished = true;
    clearInterval(checkTimer);
    const cpu = process.cpuUsage(cpuAtGo);
    send({
      type: 'result',
      reason,
      cpuMs: (cpu.user + cpu.system) / 1000,
      samples,
      firstRecv,
      lastRecv,
      lineMs,
      clients: clients.map((c) => ({
        received: c.received,
        duplicates: c.duplicates,
        outOfOrder: c.outOfOrder,
        closedEarly: c.closedEarly,
        otherEvents: c.otherEvents,
      })),
    });
  }

  process.on('disconnect', () => process.exit(1)); // the parent went
  process.on('message', async (message) => {
    if (message.type === 'open') {
      const settings = message;
      const pending = [];
      for (let index = 0; index < settings.count; index += 1) {
        pending.push(openOne(index, settings));
        if ((index + 1) % settings.rampBatch === 0 && index + 1 < settings.count) {
          await sleep(settings.rampIntervalMs);
        }
      }
      await Promise.all(pending);
      const failures = {};
      for (const c of clients) {
        if (c.status !== 200) {
          const key = c.status ? `HTTP ${c.status}` : c.failure;
          failures[key] = (failures[key] ?? 0) + 1;
        }
      }
      send({ type: 'opened', ok: clients.filter((c) => c.status === 200).length, failures });
    } else if (message.type === 'go') {
      lines = message.lines;
      samples = new Float64Array(clients.length * lines).fill(NaN);
      firstRecv = new Float64Array(lines).fill(NaN);
      lastRecv = new Float64Array(lines).fill(NaN);
      lineMs = new Float64Array(lines).fill(NaN);
      cpuAtGo = process.cpuUsage();
      const live = clients.filter((c) => c.status === 200);
      checkTimer = setInterval(() => {
        if (live.every((c) => c.lastSeq >= lines || c.closedEarly)) report('all lines');
        else if (now() > message.deadline) report('deadline');
      }, 50);
    } else if (message.type === 'close') {
      for (const c of clients) c.request?.destroy();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 100);
    }
  });
}

// ---- parent: orchestration, medic's figures, the report -----------------------------------------

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  return { busy: fields.reduce((a, b) => a + b, 0) - idle, total: fields.reduce((a, b) => a + b, 0) };
}

function getText(url, token, timeoutMs) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { Authorization: `Bearer ${token}` }, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

async function sseClients(base, token) {
  const text = await getText(`${base}/metrics`, token, 5000);
  const found = /^medic_sse_clients\s+([0-9.e+]+)/m.exec(text);
  if (!found) throw new Error('no medic_sse_clients in /metrics');
  return Number(found[1]);
}

async function waitFor(what, seconds, check) {
  const deadline = now() + seconds * 1000;
  let last = null;
  for (let attempt = 0; attempt < seconds * 10 + 1; attempt += 1) {
    try {
      last = await check();
      if (last.done) return last;
    } catch (error) {
      last = { error: error.message };
    }
    if (now() > deadline) break;
    await sleep(100);
  }
  throw new Error(`${what} not within ${seconds} s (last: ${JSON.stringify(last)})`);
}

function dockerExec(container, seconds) {
  return new Promise((resolve, reject) => {
    execFile('docker', ['exec', container, 'touch', '/tmp/go'], { timeout: seconds * 1000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`docker exec: ${stderr || error.message}`)) : resolve(),
    );
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function sortedFinite(values) {
  const kept = Float64Array.from(values.filter((v) => Number.isFinite(v)));
  return kept.sort();
}

const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-');

async function runParent() {
  const s = {
    base: setting('MEDIC_BENCH_SSE_BASE'), // http://127.0.0.1:PORT
    token: setting('MEDIC_BENCH_SSE_TOKEN'),
    container: setting('MEDIC_BENCH_SSE_CONTAINER'),
    medicPid: number('MEDIC_BENCH_SSE_MEDIC_PID', undefined, 1, 2 ** 31),
    dockerdPid: number('MEDIC_BENCH_SSE_DOCKERD_PID', 0, 0, 2 ** 31),
    clients: number('MEDIC_BENCH_SSE_CLIENTS', 1000, 1, 10000),
    workers: number('MEDIC_BENCH_SSE_WORKERS', 2, 1, 16),
    lines: number('MEDIC_BENCH_SSE_LINES', 600, 1, 100000),
    rate: number('MEDIC_BENCH_SSE_RATE', 20, 1, 1000),
    rampBatch: number('MEDIC_BENCH_SSE_RAMP_BATCH', 10, 1, 1000),
    rampIntervalMs: number('MEDIC_BENCH_SSE_RAMP_INTERVAL_MS', 100, 0, 10000),
    csv: setting('MEDIC_BENCH_SSE_CSV', ''), // per-line figures, when set
    goalP99Ms: 100,
  };
  const hz = 100; // USER_HZ on Linux
  const workers = [];
  const kill = () => workers.forEach((w) => w.process.exitCode === null && w.process.kill('SIGKILL'));
  process.on('exit', kill);

  const idle = procStatus(s.medicPid);
  const idleClients = await sseClients(s.base, s.token);

  // 2. the clients
  const share = (index) => Math.floor(s.clients / s.workers) + (index < s.clients % s.workers ? 1 : 0);
  for (let index = 0; index < s.workers; index += 1) {
    const child = fork(new URL(import.meta.url).pathname, ['--worker'], { serialization: 'advanced' });
    const worker = { process: child, waiting: new Map() };
    child.on('message', (message) => {
      const resolve = worker.waiting.get(message.type);
      if (resolve) {
        worker.waiting.delete(message.type);
        resolve(message);
      }
    });
    child.on('exit', (code) => {
      for (const [, resolve] of worker.waiting) resolve({ type: 'exit', code });
      worker.waiting.clear();
    });
    workers.push(worker);
  }
  const expect = (worker, type, seconds) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a worker sent no '${type}' within ${seconds} s`)), seconds * 1000);
      worker.waiting.set(type, (message) => {
        clearTimeout(timer);
        if (message.type === 'exit') reject(new Error(`a worker ended (code ${message.code}) before '${type}'`));
        else resolve(message);
      });
    });
  const rampSeconds = Math.ceil(((s.clients / s.workers / s.rampBatch) * s.rampIntervalMs) / 1000);
  const connectSeconds = rampSeconds + 60;
  const openStart = now();
  const opened = await Promise.all(
    workers.map((worker, index) => {
      const answer = expect(worker, 'opened', connectSeconds);
      worker.process.send({
        type: 'open',
        url: `${s.base}/api/docker/logs/${encodeURIComponent(s.container)}/stream`,
        token: s.token,
        count: share(index),
        rampBatch: s.rampBatch,
        rampIntervalMs: s.rampIntervalMs,
        connectTimeoutMs: 30000,
      });
      return answer;
    }),
  );
  const openSeconds = (now() - openStart) / 1000;
  const connected = opened.reduce((sum, o) => sum + o.ok, 0);
  const failures = {};
  for (const o of opened) for (const [key, n] of Object.entries(o.failures)) failures[key] = (failures[key] ?? 0) + n;

  // 3. every connected client is a viewer of the log
  const joined = await waitFor('medic counting every client as a viewer', 60, async () => {
    const count = await sseClients(s.base, s.token);
    return { done: count - idleClients >= connected, count };
  });
  await sleep(1000);
  const withClients = procStatus(s.medicPid);

  // 4. the lines
  const expectedSeconds = s.lines / s.rate;
  const deadline = now() + (expectedSeconds * 1.5 + 20) * 1000;
  const results = workers.map((worker) => expect(worker, 'result', expectedSeconds * 1.5 + 40));
  for (const worker of workers) worker.process.send({ type: 'go', lines: s.lines, deadline });
  const goAt = now();
  const medicBefore = cpuTicks(s.medicPid);
  const dockerdBefore = s.dockerdPid ? cpuTicks(s.dockerdPid) : 0;
  const machineBefore = machineTicks();
  const selfBefore = process.cpuUsage();
  await dockerExec(s.container, 30);
  const done = await Promise.all(results);
  const endAt = now();
  const medicAfter = cpuTicks(s.medicPid);
  const dockerdAfter = s.dockerdPid ? cpuTicks(s.dockerdPid) : 0;
  const machineAfter = machineTicks();
  const self = process.cpuUsage(selfBefore);
  const atEnd = procStatus(s.medicPid);
  const stillCounted = await sseClients(s.base, s.token);

  // 6. the clients go
  await Promise.all(
    workers.map((worker) => {
      const answer = expect(worker, 'closed', 20);
      worker.process.send({ type: 'close' });
      return answer;
    }),
  );
  const left = await waitFor('medic counting no viewer', 20, async () => {
    const count = await sseClients(s.base, s.token);
    return { done: count <= idleClients, count };
  }).catch((error) => ({ error: error.message }));
  await sleep(1000);
  const afterClients = procStatus(s.medicPid);

  // ---- the report ----
  const runSeconds = (endAt - goAt) / 1000;
  const all = [];
  let received = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let dropped = 0;
  let lossy = 0;
  let minReceived = Infinity;
  let maxReceived = 0;
  const otherEvents = new Map();
  const firstRecv = new Float64Array(s.lines).fill(NaN);
  const lastRecv = new Float64Array(s.lines).fill(NaN);
  const lineMs = new Float64Array(s.lines).fill(NaN);
  for (const result of done) {
    all.push(result.samples);
    for (const c of result.clients) {
      received += c.received;
      duplicates += c.duplicates;
      outOfOrder += c.outOfOrder;
      dropped += c.closedEarly ? 1 : 0;
      lossy += c.received < s.lines ? 1 : 0;
      minReceived = Math.min(minReceived, c.received);
      maxReceived = Math.max(maxReceived, c.received);
      for (const e of c.otherEvents) otherEvents.set(e, (otherEvents.get(e) ?? 0) + 1);
    }
    for (let i = 0; i < s.lines; i += 1) {
      const early = result.firstRecv[i];
      const late = result.lastRecv[i];
      if (Number.isFinite(early) && !(firstRecv[i] <= early)) firstRecv[i] = early;
      if (Number.isFinite(late) && !(lastRecv[i] >= late)) lastRecv[i] = late;
      if (Number.isNaN(lineMs[i])) lineMs[i] = result.lineMs[i];
    }
  }
  const latencies = sortedFinite(all.flatMap((a) => Array.from(a)));
  if (s.csv) {
    // One row a line: when dockerd stamped it, and its latency at the fastest, the median and the slowest client.
    const rows = ['seq,id_ms,first_ms,p50_ms,last_ms,clients'];
    for (let i = 0; i < s.lines; i += 1) {
      const at = [];
      for (const result of done) {
        const per = result.clients.length;
        for (let c = 0; c < per; c += 1) at.push(result.samples[c * s.lines + i]);
      }
      const sorted = sortedFinite(at);
      rows.push([i + 1, f1(lineMs[i]), f1(sorted[0]), f1(percentile(sorted, 50)), f1(sorted[sorted.length - 1]), sorted.length].join(','));
    }
    writeFileSync(s.csv, `${rows.join('\n')}\n`);
  }
  const first = sortedFinite(Array.from(firstRecv, (t, i) => t - lineMs[i]));
  const spread = sortedFinite(Array.from(lastRecv, (t, i) => t - firstRecv[i]));
  const seenLines = Array.from(lineMs).filter(Number.isFinite);
  const printedRate = seenLines.length > 1 ? (seenLines.length - 1) / ((seenLines[seenLines.length - 1] - seenLines[0]) / 1000) : NaN;
  const medicCpu = ((medicAfter - medicBefore) / hz / runSeconds) * 100;
  const dockerdCpu = s.dockerdPid ? ((dockerdAfter - dockerdBefore) / hz / runSeconds) * 100 : NaN;
  const machineBusy = ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100;
  const workerCpu = done.map((r) => (r.cpuMs / 1000 / runSeconds) * 100);
  const selfCpu = ((self.user + self.system) / 1e6 / runSeconds) * 100;
  const expectedTotal = connected * s.lines;

  const out = [];
  const say = (line = '') => out.push(line);
  const row = (name, value, note = '') => say(`${name.padEnd(40)} ${String(value).padStart(14)}  ${note}`.trimEnd());
  say(`clients: ${s.clients} over ${s.workers} node processes, ramped ${s.rampBatch} per process every ${s.rampIntervalMs} ms`);
  say(`lines: ${s.lines} at ${s.rate}/s printed by ${s.container} (medic-test/tools, busybox usleep), tail=0`);
  say();
  row('clients connected (HTTP 200)', `${connected} of ${s.clients}`, `in ${openSeconds.toFixed(1)} s`);
  if (Object.keys(failures).length) row('  not connected', JSON.stringify(failures));
  row('viewers counted by medic before the lines', `${joined.count - idleClients}`, '(/metrics medic_sse_clients)');
  row('lines expected per client', s.lines);
  row('lines received per client, min / max', `${minReceived} / ${maxReceived}`);
  row('lines received, all clients', `${received} of ${expectedTotal}`,
    received === expectedTotal ? '(no loss)' : `(${expectedTotal - received} lost, ${lossy} clients short)`);
  row('duplicates / out of order', `${duplicates} / ${outOfOrder}`);
  row('clients dropped before the end', dropped);
  for (const [e, n] of otherEvents) row(`  other event (${n} clients)`, '', e);
  row('lines printed, rate seen in their ids', f1(printedRate), `lines/s (asked: ${s.rate})`);
  row('events delivered per second (all clients)', f0(received / runSeconds));
  row('run: go -> every client has the last line', `${runSeconds.toFixed(1)} s`, `(${done.map((r) => r.reason).join(', ')})`);
  say();
  say('delivery latency: client receive time - the line\'s id (dockerd\'s timestamp when it read the line');
  say('from the container), so dockerd -> medic -> client; all on this machine\'s clock');
  row('latency p50', `${f1(percentile(latencies, 50))} ms`);
  row('latency p90', `${f1(percentile(latencies, 90))} ms`);
  row('latency p99', `${f1(percentile(latencies, 99))} ms`, `(goal: <= ${s.goalP99Ms} ms)`);
  row('latency max', `${f1(latencies[latencies.length - 1])} ms`);
  row('first client per line, p50 / p99', `${f1(percentile(first, 50))} / ${f1(percentile(first, 99))} ms`, '(dockerd -> medic -> the fastest socket)');
  row('first -> last client per line, p50 / p99', `${f1(percentile(spread, 50))} / ${f1(percentile(spread, 99))} ms`, '(the fan-out itself, client side included)');
  say();
  row('medic RSS, no client', `${f1(idle.rssMb)} MB`);
  row(`medic RSS, ${connected} clients, before the lines`, `${f1(withClients.rssMb)} MB`,
    `(+${f1(withClients.rssMb - idle.rssMb)} MB, ${f1(((withClients.rssMb - idle.rssMb) * 1024) / Math.max(1, connected))} KB a client)`);
  row(`medic RSS, ${connected} clients, after the lines`, `${f1(atEnd.rssMb)} MB`, `(peak VmHWM ${f1(atEnd.hwmMb)} MB)`);
  row('medic RSS, clients gone', `${f1(afterClients.rssMb)} MB`,
    left.error ? `(medic still counts viewers: ${left.error})` : `(viewers counted: ${left.count - idleClients})`);
  row('viewers counted at the end of the lines', stillCounted - idleClients);
  row('medic CPU during the lines', `${f1(medicCpu)} %`, 'of one core (medic serves on one thread)');
  if (s.dockerdPid) row('dockerd CPU during the lines', `${f1(dockerdCpu)} %`, 'of one core');
  row('node CPU during the lines', `${workerCpu.map(f1).join(' + ')} + ${f1(selfCpu)} %`, '(workers + parent, each of one core)');
  row('machine busy during the lines', `${f1(machineBusy)} %`, `of all ${(await import('node:os')).cpus().length} cores (everything, other work included)`);
  if (workerCpu.some((c) => c > 80)) say('note: a node worker used more than 80 % of a core: the client may be part of the latency');
  console.log(out.join('\n'));
}

if (process.argv.includes('--worker')) {
  runWorker();
} else {
  runParent()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(`sse-fanout: ${error.message}`);
      process.exit(1);
    });
}
