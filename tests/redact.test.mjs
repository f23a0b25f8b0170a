// Redaction of secrets in command lines (docs/redaction.md): a corpus of secret forms and of
// look-alikes run as the arguments of real commands in a traced pipeline; every table (DuckDB,
// hyparquet, raw bytes) and every report format searched for every secret.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanup, PIPETRACE, runPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { duckTable, hyTable, query, sqlPath } from './lib/readers.mjs';

after(cleanup);

// Deterministic filler of a token's body: letters and digits from a seed, n characters.
function body(seed, n, alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789') {
  let out = '';
  let x = seed * 7919 + 17;
  while (out.length < n) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length];
  }
  return out;
}
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ234567';
const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Each secret form: the arguments (after /bin/true and a case marker), what they must become,
// and the secrets that must appear nowhere.
function secretCases() {
  const s = (i) => `Sx${body(i, 14)}`; // an opaque secret value
  const jwt = (i) => [`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9`, `eyJzdWIiOi${body(i, 20)}`,
    body(i + 1, 43)].join('.');
  const pem = (kind, i) => `-----BEGIN ${kind}-----\n${body(i, 64, b64)}\n${body(i + 1, 40, b64)}=\n-----END ${kind}-----`;
  const basic = Buffer.from(`deploy:${s(90)}`).toString('base64');
  const c = [
    [[`ghp_${body(1, 36)}`], ['ghp_***']],
    [[`gho_${body(2, 36)}`], ['gho_***']],
    [['--github-token', `ghu_${body(3, 36)}`], ['--github-token', '***']],
    [[`GH_TOKEN=ghs_${body(4, 36)}`], ['GH_TOKEN=***']],
    [[`ghr_${body(5, 36)}`], ['ghr_***']],
    [[`github_pat_${body(6, 22)}_${body(7, 59)}`], ['github_pat_***']],
    [[`glpat-${body(8, 20)}`], ['glpat-***']],
    [[`AKIA${body(9, 16, upper)}`], ['AKIA***']],
    [[`AWS_ACCESS_KEY_ID=ASIA${body(10, 16, upper)}`], ['AWS_ACCESS_KEY_ID=***']],
    [[`AWS_SECRET_ACCESS_KEY=${body(11, 40, b64)}`], ['AWS_SECRET_ACCESS_KEY=***']],
    [[`xoxb-1234567890-1234567890123-${body(12, 24)}`], ['xoxb-***']],
    [['--slack', `xoxp-2234567890-${body(13, 30)}`], ['--slack', 'xoxp-***']],
    [[`sk_live_${body(14, 24)}`], ['sk_live_***']],
    [[`rk_live_${body(15, 24)}`], ['rk_live_***']],
    [[`npm_${body(16, 36)}`], ['npm_***']],
    [[jwt(17)], ['eyJ***']],
    [[`--data=jwt=${jwt(19)}`], ['--data=jwt=eyJ***']],
    [[pem('RSA PRIVATE KEY', 21)], ['-----BEGIN RSA PRIVATE KEY-----\n***\n-----END RSA PRIVATE KEY-----']],
    [['--key-data', pem('PRIVATE KEY', 23)], ['--key-data', '-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----']],
    [['-H', `Authorization: Bearer ${body(25, 32)}`], ['-H', 'Authorization: Bearer ***']],
    [['--header', `Authorization: Basic ${basic}`], ['--header', 'Authorization: Basic ***']],
    [['-H', `authorization: token ${s(26)}`], ['-H', 'authorization: token ***']],
    [['--proxy-header', `Proxy-Authorization: Basic ${s(27)}`], ['--proxy-header', 'Proxy-Authorization: Basic ***']],
    [['-H', `X-Api-Key: ${s(28)}`], ['-H', 'X-Api-Key: ***']],
    [['--header', `Private-Token: ${s(29)}`], ['--header', 'Private-Token: ***']],
    [['clone', `https://deploy:${s(30)}@git.example.com/org/repo.git`], ['clone', 'https://deploy:***@git.example.com/org/repo.git']],
    [[`postgres://app:${s(31)}@db.internal:5432/prod`], ['postgres://app:***@db.internal:5432/prod']],
    [[`https://api.example.com/v1/items?access_token=${s(32)}&page=2`], ['https://api.example.com/v1/items?access_token=***&page=2']],
    [[`--password=${s(33)}`], ['--password=***']],
    [['--password', s(34)], ['--password', '***']],
    [[`--passwd=${s(35)}`], ['--passwd=***']],
    [['--token', s(36)], ['--token', '***']],
    [[`--secret=${s(37)}`], ['--secret=***']],
    [['--api-key', s(38)], ['--api-key', '***']],
    [[`--access-key=${s(39)}`], ['--access-key=***']],
    [['--client-secret', s(40)], ['--client-secret', '***']],
    [[`-Djavax.net.ssl.keyStorePassword=${s(41)}`], ['-Djavax.net.ssl.keyStorePassword=***']],
    [['--password', `two ${s(42)} words`], ['--password', '***']],
    [[`--passphrase=correct horse ${s(43)}`], ['--passphrase=***']],
    [[`API_KEY=${s(44)}`], ['API_KEY=***']],
    [[`DB_PASSWORD=${s(45)}`], ['DB_PASSWORD=***']],
    [[`PGPASSWORD=${s(46)}`], ['PGPASSWORD=***']],
    [[`GITHUB_TOKEN=${s(47)}`], ['GITHUB_TOKEN=***']],
    [[`STRIPE_APIKEY=${s(48)}`], ['STRIPE_APIKEY=***']],
    [[`SIGNING_PRIVATE_KEY=${s(49)}`], ['SIGNING_PRIVATE_KEY=***']],
    [[`REGISTRY_CREDENTIALS=${s(50)}`], ['REGISTRY_CREDENTIALS=***']],
    [[`SENTRY_AUTH=${s(51)}`], ['SENTRY_AUTH=***']],
    [['-e', `REDIS_PASSWORD=${s(52)}`], ['-e', 'REDIS_PASSWORD=***']],
    [[`--env=WEBHOOK_SECRET=${s(53)}`], ['--env=WEBHOOK_SECRET=***']],
  ];
  return c.map(([args, want], i) => {
    // The secrets: what redaction replaced (each part of a multi-line one on its own).
    const secrets = [];
    args.forEach((arg, k) => {
      if (arg === want[k]) return;
      const [head, tail] = want[k].split('***');
      const middle = arg.slice(head.length, arg.length - tail.length);
      secrets.push(...middle.split('\n').filter((part) => part.length >= 8));
    });
    assert.ok(secrets.length, `case ${i} has a secret`);
    return { marker: `secret-${i}`, args, want, secrets };
  });
}

// Look-alikes: arguments that must be written exactly as they are.
const lookAlikes = [
  ['--password-file=/run/secrets/db'],
  ['--password-file', '/run/secrets/db'],
  ['commit', '-m', 'fix token parsing'],
  ['-r', 'password', 'src/'],
  ['--tokenizer=bert-base'],
  ['AUTHOR=Jane Doe'],
  ['GIT_AUTHOR_NAME=Jane'],
  ['--no-password', 'keep-this-word'],
  ['TOKEN_FILE=/var/run/token'],
  ['--token-url=https://auth.example.com/token'],
  ['https://example.com/search?q=password'],
  ['https://user@example.com/repo.git'],
  ['ssh://git@github.com/org/repo.git'],
  ['--auth-type=basic'],
  ['ghp_short', 'AKIAshort', 'eyJnotajwt'],
  ['-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ\n-----END CERTIFICATE-----'],
  ['Bearer', 'token', 'secret'],
  ['risk_live_feed_0123456789abcdef'],
  ['--password-stdin'],
  ['--private-key', '/home/me/.ssh/id_ed25519'],
  ['--private-key=./deploy_key'],
  ['passwords.txt', 'tokens.json'],
  ['CACHE_KEY=abc123', 'KEY=value', 'x=1'],
  ['naïve', 'café-crème', '日本語'],
  ['--format=%(authorname) %s'],
].map((args, i) => ({ marker: `lookalike-${i}`, args }));

const quote = (word) => `'${word.replaceAll("'", "'\\''")}'`;
const script = (cases) =>
  cases.map((c) => ['/bin/true', c.marker, ...c.args].map(quote).join(' ')).join('\n');

function pipetrace(args) {
  const r = spawnSync(PIPETRACE, args, { maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

// Every string a dataset holds and every report of it, with the raw bytes of its files.
async function everythingWritten(out, stderr) {
  const texts = [stderr];
  const tables = readdirSync(out).filter((f) => f.endsWith('.parquet'));
  for (const file of tables) {
    const table = file.replace(/\.parquet$/, '');
    texts.push(readFileSync(path.join(out, file)).toString('latin1'));
    texts.push(JSON.stringify(await duckTable(out, table, null)));
    texts.push(JSON.stringify(await hyTable(out, table), (k, v) =>
      (typeof v === 'bigint' ? v.toString() : v)));
  }
  for (const format of ['text', 'markdown', 'json', 'csv'])
    texts.push(pipetrace(['report', '--format', format, out]));
  texts.push(pipetrace(['report', '--format', 'csv', '--by', 'binary', out]));
  texts.push(pipetrace(['report', '--format', 'json', '--by', 'normalized', out]));
  return { texts, tables };
}

let corpus;
before(() => {
  const secrets = secretCases();
  const dir = tempDir();
  const r = runPipetrace(['bash', '-c', script([...secrets, ...lookAlikes])],
    { dir, options: ['--probes', 'cpu,files,net'] });
  assert.equal(r.status, 0, r.stderr);
  corpus = { secrets, out: r.out, stderr: r.stderr };
});

async function trueRows(out) {
  const rows = await query(`SELECT argv, cmdline, argv_truncated, argv_redacted
    FROM ${sqlPath(path.join(out, 'processes.parquet'))} WHERE filename = '/bin/true'`);
  return new Map(rows.map((row) => [row.argv[1], row]));
}

test('at least 30 secret forms and 20 look-alikes, run as the arguments of real commands', () => {
  assert.ok(corpus.secrets.length >= 30, `${corpus.secrets.length} secret forms`);
  assert.ok(lookAlikes.length >= 20, `${lookAlikes.length} look-alikes`);
});

test('every secret form is redacted, keeping the option or key name and the word count',
  async () => {
    const rows = await trueRows(corpus.out);
    for (const c of corpus.secrets) {
      const row = rows.get(c.marker);
      assert.ok(row, `${c.marker} ran`);
      assert.deepEqual(row.argv, ['/bin/true', c.marker, ...c.want], c.marker);
      assert.equal(row.argv_redacted, true, c.marker);
      assert.equal(row.argv_truncated, false, c.marker);
    }
  });

test('no secret is anywhere: any table (DuckDB, hyparquet, raw bytes), any report format, the summary',
  async () => {
    const { texts, tables } = await everythingWritten(corpus.out, corpus.stderr);
    for (const table of ['runs', 'processes', 'events', 'cpu_samples', 'files', 'connections'])
      assert.ok(tables.includes(`${table}.parquet`), `${table}.parquet written`);
    for (const c of corpus.secrets)
      for (const secret of c.secrets)
        for (const text of texts)
          assert.ok(!text.includes(secret), `${c.marker}: '${secret}' written in clear`);
  });

test('look-alikes stay byte-exact and unmarked', async () => {
  const rows = await trueRows(corpus.out);
  for (const c of lookAlikes) {
    const row = rows.get(c.marker);
    assert.ok(row, `${c.marker} ran`);
    assert.deepEqual(row.argv, ['/bin/true', c.marker, ...c.args], c.marker);
    assert.equal(row.argv_redacted, false, c.marker);
  }
});

test('the shell script, runs.command and the counts say what was redacted', async () => {
  const [run] = await duckTable(corpus.out, 'runs');
  const [shell] = await query(`SELECT argv, argv_redacted FROM
    ${sqlPath(path.join(corpus.out, 'processes.parquet'))} WHERE filename LIKE '%bash'`);
  assert.equal(shell.argv_redacted, true);
  assert.deepEqual(run.command, shell.argv, 'runs.command is redacted like argv');
  assert.equal(run.redact, true);
  const [counts] = await query(`SELECT count(*) FILTER (argv_redacted) executions,
    sum(len(list_filter(argv, (w) -> w LIKE '%***%'))) FILTER (argv_redacted) words
    FROM ${sqlPath(path.join(corpus.out, 'processes.parquet'))}`);
  assert.equal(Number(run.redacted_executions), Number(counts.executions));
  assert.equal(Number(run.redacted_executions), corpus.secrets.length + 1);
  assert.equal(Number(run.redacted_words), Number(counts.words));
  assert.equal(JSON.parse(run.options).redact, true);
  const report = JSON.parse(pipetrace(['report', '--format', 'json', corpus.out]));
  assert.deepEqual(report.redaction, { enabled: true, executions: Number(run.redacted_executions),
    words: Number(run.redacted_words) });
  assert.match(pipetrace(['report', corpus.out]), /redaction +on: \d+ argument\(s\) in \d+ execution/);
});

test('--redact adds patterns: the first group when there is one, else the whole match', async () => {
  const r = runPipetrace(['/bin/true', 'corp-482913', 'pin=77314', 'pinx', 'id=corp-1'], {
    options: ['--redact', 'corp-[0-9]{6}', '--redact', 'pin=([0-9]+)'],
  });
  assert.equal(r.status, 0, r.stderr);
  const [row] = await duckTable(r.out, 'processes');
  assert.deepEqual(row.argv, ['/bin/true', '***', 'pin=***', 'pinx', 'id=corp-1']);
  assert.equal(row.argv_redacted, true);
  const [run] = await duckTable(r.out, 'runs');
  assert.deepEqual(run.command, row.argv);
  assert.deepEqual(JSON.parse(run.options).redact_patterns, 2);
  assert.ok(!run.options.includes('corp-'), 'the patterns themselves are not written');
});

test('--no-redact keeps everything, and says so', async () => {
  const cases = corpus.secrets.slice(0, 8);
  const r = runPipetrace(['bash', '-c', script(cases)], { options: ['--no-redact'] });
  assert.equal(r.status, 0, r.stderr);
  const rows = await trueRows(r.out);
  for (const c of cases) {
    assert.deepEqual(rows.get(c.marker).argv, ['/bin/true', c.marker, ...c.args]);
    assert.equal(rows.get(c.marker).argv_redacted, false);
  }
  const [run] = await duckTable(r.out, 'runs');
  assert.equal(run.redact, false);
  assert.equal(Number(run.redacted_words), 0);
  assert.match(r.stderr, /redaction +off \(--no-redact\)/);
  assert.equal(JSON.parse(pipetrace(['report', '--format', 'json', r.out])).redaction.enabled, false);
});

test('a bad --redact pattern: one line, exit 125, before CMD starts', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'cmd-ran');
  const r = runPipetrace(['touch', marker], { dir, options: ['--redact', 'ok', '--redact', '(unclosed'] });
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^pipetrace run: --redact '\(unclosed': .+; try 'pipetrace run --help'\n$/);
  assert.equal(existsSync(marker), false, 'CMD did not run');
  assert.equal(existsSync(r.out), false, 'nothing was written');
});

test('a secret cut by --max-args is redacted; the truncation flag and other bytes stay', async () => {
  const pad = 'p'.repeat(4096 - 10 - 1 - 4 - 10); // the cut falls 10 bytes into the token
  const token = `ghp_${body(99, 36)}`;
  const r = runPipetrace(['/bin/true', pad, token], { options: ['--max-args', '4K'] });
  assert.equal(r.status, 0, r.stderr);
  const [row] = await duckTable(r.out, 'processes');
  assert.deepEqual(row.argv, ['/bin/true', pad, 'ghp_***']);
  assert.equal(row.argv_truncated, true);
  assert.equal(row.argv_redacted, true);
  const [run] = await duckTable(r.out, 'runs');
  assert.deepEqual(run.command, ['/bin/true', pad, 'ghp_***']);
  const raw = readFileSync(path.join(r.out, 'processes.parquet')).toString('latin1');
  assert.ok(!raw.includes(token.slice(4, 14)));
});

test('bytes that are not UTF-8 keep their escapes next to a redacted secret', async () => {
  const args = [Buffer.from([0xff, 0xfe]), Buffer.from('--token=Zk8sQ2mV7xR4'),
    Buffer.from('back\\x41slash'), Buffer.from([0x63, 0x61, 0x66, 0xe9])];
  const r = runPipetrace([tool('argv_bytes'), '/bin/true', ...args.map((b) => b.toString('hex'))]);
  assert.equal(r.status, 0, r.stderr);
  const [row] = await query(`SELECT argv, cmdline FROM ${sqlPath(path.join(r.out, 'processes.parquet'))}
    WHERE filename = '/bin/true'`);
  assert.deepEqual(row.argv, ['/bin/true', '\\xFF\\xFE', '--token=***', 'back\\x5Cx41slash', 'caf\\xE9']);
  assert.equal(row.cmdline, "/bin/true '\\xFF\\xFE' '--token=***' 'back\\x5Cx41slash' 'caf\\xE9'");
});

test('the engine alone: scripts, quotes, empty words, a word cut short', () => {
  const run = (args) => {
    const r = spawnSync(tool('redact_words'), args);
    assert.equal(r.status, 0, r.stderr.toString());
    const text = r.stdout.toString();
    const nl = text.indexOf('\n');
    return { changed: Number(text.slice(0, nl)), words: text.slice(nl + 1).split('\0').slice(0, -1) };
  };
  assert.deepEqual(run(['--', 'a', '', '--password', '', 'b']),
    { changed: 0, words: ['a', '', '--password', '', 'b'] });
  assert.deepEqual(run(['--', 'sh', '-c', `mysql --password 'a b' -u x; export TOKEN="c d"; curl -H "Authorization: Bearer e" https://u:f@h/`]),
    { changed: 1, words: ['sh', '-c', `mysql --password '***' -u x; export TOKEN="***"; curl -H "Authorization: Bearer ***" https://u:***@h/`] });
  assert.deepEqual(run(['--cut', '--', 'x', 'AKIAABCD']), { changed: 1, words: ['x', 'AKIA***'] });
  assert.deepEqual(run(['--redact', '^$', '--redact', 'z*', '--', 'abc', '']), { changed: 0, words: ['abc', ''] });
  assert.deepEqual(run(['--redact', '(x)|y', '--', 'axbyc']), { changed: 1, words: ['a***b***c'] });
});

test('fuzz: libFuzzer over the engine, seeded with the corpus, bounded time', { timeout: 120000 }, () => {
  const fuzzer = path.join(path.dirname(process.env.PIPETRACE_FUZZ ?? path.resolve('build/fuzz/x')),
    'fuzz_redact');
  assert.ok(existsSync(fuzzer), `${fuzzer} missing (make BUILD=build/fuzz fuzz)`);
  const seeds = tempDir();
  [...secretCases(), ...lookAlikes].forEach((c, i) => writeFileSync(path.join(seeds, `seed-${i}`),
    Buffer.concat([Buffer.from([i & 1]), Buffer.from(c.args.join('\0'))])));
  writeFileSync(path.join(seeds, 'script'), `\0${script(secretCases())}`);
  const r = spawnSync(fuzzer, ['-max_total_time=15', '-rss_limit_mb=1024',
    `-artifact_prefix=${seeds}/`, seeds], { encoding: 'utf8', timeout: 110000 });
  assert.equal(r.status, 0, `fuzzer status ${r.status} signal ${r.signal}\n${r.stderr.slice(-2000)}`);
});

test('a prepared exec record replays to the same row: its mark, not a second redaction', () => {
  // What a journal holds: the record as proc's prepare hook left it (model_replay feeds the
  // model directly, as a replay does, without the hook).
  const r = spawnSync(tool('model_replay'), [], {
    input: ['seed pid=100 ts=1', 'exec pid=100 ts=2 filename=/bin/true arg=/bin/true arg=--password=*** '
      + 'arg=ghp_*** redacted=2 args_full=200', 'exit pid=100 ts=3', 'free pid=100 ts=4', 'finish ts=5']
      .join('\n'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const [row] = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.op === 'finished');
  assert.deepEqual(row.argv, ['/bin/true', '--password=***', 'ghp_***']);
  assert.equal(row.argv_redacted_words, 2);
  assert.equal(row.argv_truncated, true, 'args_full_len kept its distance to args_len');
});
