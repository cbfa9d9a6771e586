// medic's web UI in a real browser (Debian's Chromium through playwright-core),
// against a real medic and a Redis broken the way it breaks in production: its
// /data is a host folder that belongs to root, Redis (uid 999) cannot create its
// append-only dir, exits with "Permission denied", and medic heals it with
// fix_redis_permissions. Started by tests/browser/run, which provides medic and
// cleans up; every wait here is a condition with a deadline.
//
// Environment (set by ./run): MEDIC_URL, MEDIC_TOKEN_FILE, DOCKER_HOST,
// BROWSER_RUN_ID, BROWSER_REDIS_DIR, ARTIFACTS.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start this test through tests/browser/run`);
  return value;
}

const medicUrl = required('MEDIC_URL');
const token = (await readFile(required('MEDIC_TOKEN_FILE'), 'utf8')).trim();
const runId = required('BROWSER_RUN_ID');
const redisDir = required('BROWSER_REDIS_DIR');
const artifacts = required('ARTIFACTS');
required('DOCKER_HOST');

const redis = `browser-redis-${runId}`;
const ticker = `browser-ticker-${runId}`;
// medic.e2e* labels are the test labels medic ignores; medic.e2e.browser names this run for the cleanup.
const labels = ['--label', 'medic.e2e=true', '--label', `medic.e2e.browser=${runId}`];

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
let step = 'start';
function say(text) {
  console.log(`[${seconds()} s] ${text}`);
}
function begin(text) {
  step = text;
  say(text);
}

async function docker(...args) {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** The container's whole log, stdout and stderr. */
async function dockerLogs(name) {
  const { stdout, stderr } = await run('docker', ['logs', name], { maxBuffer: 16 * 1024 * 1024 });
  return stdout + stderr;
}

/**
 * Polls `check` until it returns something truthy, at most `timeoutMs`; throws
 * naming `what` and the last value (or error) seen. Returns the truthy value.
 */
async function waitFor(what, check, timeoutMs, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${what}: not within ${timeoutMs / 1000} s (last seen: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function api(route) {
  const response = await fetch(new URL(route, medicUrl), { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  assert.equal(response.status, 200, `GET ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

let browser = null;
let page = null;
const pageErrors = [];
const consoleErrors = [];

async function screenshot(name, options = {}) {
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  say(`screenshot ${file}`);
}

/** The highest tick-N among the log rows now in the DOM (0 when none). */
async function highestTick() {
  const texts = await page.locator('#log-lines .log-line .log-text').allTextContents();
  let highest = 0;
  for (const text of texts) {
    const match = /^tick-(\d+)$/.exec(text.trim());
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

async function main() {
  // 1. The broken Redis and the ticker.
  begin(`starting ${redis} on ${redisDir} (root-owned, 0755) and ${ticker}`);
  await docker('run', '-d', '--name', redis, ...labels, '--label', 'medic.enable=true',
    '-v', `${redisDir}:/data`, 'medic-test/redis');
  await docker('run', '-d', '--name', ticker, ...labels, 'medic-test/tools',
    'sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done');
  const denied = await waitFor(`${redis} says Permission denied (the breakage really happened)`,
    async () => (await dockerLogs(redis)).split('\n').find((line) => line.includes('Permission denied')), 20000);
  say(`${redis} broke: ${denied.trim()}`);

  // 2. The login form, then the overview with the Redis row.
  begin('opening the UI');
  const profile = await mkdtemp(path.join(tmpdir(), 'medic-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1000 },
  });
  browser = { context, profile };
  page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });

  await page.goto(`${medicUrl}/`);
  await page.locator('#token').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login').textContent(), 'Sign in');
  assert.ok(page.url().endsWith('#/login'), `the signed-out UI shows the login route, not ${page.url()}`);

  begin('signing in with a wrong token, then the operator token');
  await page.fill('#token', 'not-the-token');
  await page.click('#login');
  await page.locator('#login-message', { hasText: 'That token is not valid.' }).waitFor();
  await page.fill('#token', token);
  await page.click('#login');
  await page.locator('#containers').waitFor({ state: 'visible' });
  assert.equal((await page.locator('#role').textContent()).trim(), 'operator');
  const redisRow = page.locator(`tr[data-container="${redis}"]`);
  await redisRow.waitFor({ state: 'visible' });
  await page.locator(`tr[data-container="${ticker}"]`).waitFor({ state: 'visible' });
  await page.locator('#live-status', { hasText: 'live' }).waitFor();
  say('signed in: the overview lists both containers, live updates on');

  // 3. medic heals the Redis: the API says when, the UI has to show it.
  begin(`waiting for medic to resolve the PERMISSION_DENIED incident of ${redis}`);
  const incident = await waitFor('a resolved PERMISSION_DENIED incident', async () => {
    const answer = await api(`/api/incidents?state=all&container=${encodeURIComponent(redis)}`);
    return answer.incidents.find((item) => item.type === 'PERMISSION_DENIED' && item.state === 'resolved');
  }, 60000, 500);
  say(`incident #${incident.id} ${incident.rule}: ${incident.state} (${incident.note})`);

  // The overview updates by itself (event stream, then a refresh).
  await page.fill('#filter', runId);
  await waitFor('the overview shows only this run\'s two containers', async () =>
    (await page.locator('#containers tbody tr').count()) === 2, 10000);
  await redisRow.locator('td.last-action', { hasText: 'fix_redis_permissions' })
    .filter({ hasText: 'succeeded' }).waitFor({ timeout: 20000 });
  await redisRow.locator('td', { hasText: /^running$/ }).first().waitFor();
  await screenshot('1-overview');

  begin('the Redis container page');
  await redisRow.locator('td.name a').click();
  await page.waitForURL(`**/#/containers/${redis}`);
  await page.locator('.page-header h1', { hasText: redis }).waitFor();
  const incidentRow = page.locator(`#container-incidents tr[data-incident="${incident.id}"]`);
  await incidentRow.locator('td', { hasText: 'resolved' }).waitFor();
  await page.locator('#container-actions td.mono', { hasText: 'fix_redis_permissions' }).waitFor();
  await page.locator('#details', { hasText: 'redis' }).waitFor();
  // medic examined it before acting: the check that failed, and what it saw, are on the page.
  const failedCheck = page.locator('#container-examination [data-testid="examination-check"][data-outcome="failed"]').first();
  await failedCheck.waitFor();
  assert.match(await failedCheck.textContent(), /mount access.*uid 999 \(gid 999\) cannot (write|search|create \S+ in) \/data/,
    'the examination says what the user of Redis could not do');
  await screenshot('2-container-redis', { fullPage: true });

  begin(`the page of incident #${incident.id}`);
  await incidentRow.locator('a', { hasText: `#${incident.id}` }).click();
  await page.waitForURL(`**/#/incidents/${incident.id}`);
  await page.locator('.page-header h1', { hasText: `#${incident.id} PERMISSION_DENIED` }).waitFor();
  await page.locator('.page-header .badge', { hasText: 'resolved' }).waitFor();
  const finding = page.locator('#timeline .timeline-item[data-kind="finding"]', { hasText: 'PERMISSION_DENIED' }).first();
  await finding.waitFor();
  assert.match(await finding.locator('pre').textContent(), /Permission denied/, 'the finding shows the line Redis wrote');
  const action = page.locator('#timeline .timeline-item[data-kind="action"]', { hasText: 'fix_redis_permissions' }).first();
  await action.waitFor();
  assert.match(await action.locator('.timeline-title').textContent(), /succeeded/, 'the action succeeded');
  const evidence = await action.locator('.evidence').allTextContents();
  assert.ok(evidence.some((text) => text.startsWith('Before') && text.length > 'Before'.length),
    `the action shows its evidence before: ${JSON.stringify(evidence)}`);
  assert.ok(evidence.some((text) => text.startsWith('After') && text.length > 'After'.length),
    `the action shows its evidence after: ${JSON.stringify(evidence)}`);
  const kinds = await page.locator('#timeline .timeline-item').evaluateAll((items) => items.map((item) => item.dataset.kind));
  assert.ok(kinds.indexOf('finding') < kinds.indexOf('action'), `the finding comes before the action: ${kinds}`);
  await page.locator('#incident-note', { hasText: 'fix_redis_permissions' }).waitFor();
  await screenshot('3-incident', { fullPage: true });

  // 4. The live log of the ticker.
  begin(`the live log of ${ticker}`);
  await page.goto(`${medicUrl}/#/containers/${ticker}`);
  await page.locator('.page-header h1', { hasText: ticker }).waitFor();
  await page.locator('#log-lines .log-line .log-text', { hasText: /^tick-\d+$/ }).first().waitFor();
  const first = await highestTick();
  assert.ok(first > 0, 'tick lines are shown');
  const later = await waitFor(`a tick newer than tick-${first} arrives in the view`, async () => {
    const now = await highestTick();
    return now >= first + 5 ? now : 0;
  }, 10000);
  assert.equal(await page.locator('#log-lines').getAttribute('data-follow'), 'true', 'the view follows the newest line');
  const newest = await page.locator('#log-lines .log-line .log-text').last().textContent();
  say(`live log: tick-${first}, then tick-${later} (newest row in view: ${newest})`);
  await screenshot('4-container-ticker-live-log', { fullPage: true });

  // 5. The recovery page with its charts.
  begin('the recovery page');
  await page.goto(`${medicUrl}/#/recovery`);
  await page.locator('#chart-errors canvas').waitFor();
  await page.locator('#chart-recovery canvas').waitFor();
  await page.locator('#by-action tr[data-name="fix_redis_permissions"]').waitFor();
  await page.locator('#by-type tr[data-name="PERMISSION_DENIED"]').waitFor();
  await page.locator('#recovery-actions td.mono', { hasText: 'fix_redis_permissions' }).first().waitFor();
  const rate = (await page.locator('#success-rate .value').textContent()).trim();
  assert.match(rate, /%$/, `a success rate is shown: ${rate}`);
  await screenshot('5-recovery', { fullPage: true });

  // 6. What a user cares about: Redis answers.
  begin(`redis-cli ping in ${redis}`);
  const pong = await waitFor('redis-cli ping answers PONG', async () =>
    (await docker('exec', redis, 'redis-cli', 'ping')).trim() === 'PONG', 10000);
  assert.ok(pong);
  say('Redis answers PONG');

  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\nFAILED at "${step}": ${error.message}`);
  if (page) {
    console.error(`page: ${page.url()}`);
    try {
      await screenshot('failure', { fullPage: true });
    } catch (screenshotError) {
      console.error(`no failure screenshot: ${screenshotError.message}`);
    }
  }
} finally {
  if (pageErrors.length) console.error(`page errors:\n  ${pageErrors.join('\n  ')}`);
  if (consoleErrors.length) console.log(`console errors (informational):\n  ${consoleErrors.join('\n  ')}`);
  if (browser) {
    await browser.context.close();
    await rm(browser.profile, { recursive: true, force: true });
  }
}
console.log(failed ? `browser test: FAILED after ${seconds()} s` : `browser test: all checks passed in ${seconds()} s`);
process.exitCode = failed ? 1 : 0;
