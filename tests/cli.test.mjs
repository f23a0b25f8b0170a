// The command line as a whole: every command's --help, its parser, the man page pipetrace(1)
// and the bash completion come from the same tables (src/cli/command.h), so each must list
// exactly what the others do; `make install` puts the man page and the completion in place.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD, cleanup, lines, PIPETRACE, REPO, tempDir } from './lib/pipetrace.mjs';

after(cleanup);

const MAN_PAGE = path.join(BUILD, 'pipetrace.1');
const COMPLETION = path.join(BUILD, 'pipetrace.bash');

function pipetrace(args, opts = {}) {
  const r = spawnSync(PIPETRACE, args, { encoding: 'utf8', timeout: 30000, ...opts });
  if (r.error) throw r.error;
  return r;
}

/** The commands `pipetrace --help` lists: [{name, synopsis}]. */
function commands() {
  const help = pipetrace(['--help']).stdout;
  const section = help.split('\nCommands:\n')[1].split('\n\n')[0];
  const list = [...section.matchAll(/^ {2}([a-z]+)(.*?)(?: {2,}|$)/gm)].map((m) => ({
    name: m[1],
    synopsis: m[2].trim(),
  }));
  assert.ok(list.length >= 5, `the list of commands: ${section}`);
  return list;
}

/** The options a --help text lists: [{long, short, value}]. */
function helpOptions(help) {
  return [...help.matchAll(/^ {2}(?:-([A-Za-z]), | {4})--([a-z][a-z-]*)(?: ([A-Z_]+))?/gm)].map(
    (m) => ({ short: m[1], long: m[2], value: m[3] }),
  );
}

function commandHelp(name) {
  const r = pipetrace([name, '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, new RegExp(`^Usage: pipetrace ${name}\\b`));
  return r.stdout;
}

test('the commands built are the commands listed, and each has a --help listing its options', () => {
  const names = commands().map((c) => c.name);
  for (const name of ['run', 'report', 'diff', 'merge', 'probes']) assert.ok(names.includes(name), name);
  for (const name of names) {
    const options = helpOptions(commandHelp(name));
    assert.ok(options.some((o) => o.long === 'help' && o.short === 'h'), `${name}: -h, --help`);
    assert.equal(pipetrace([name, '-h']).stdout, commandHelp(name), `${name} -h`);
  }
  const bad = pipetrace(['no-such-command']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^pipetrace: unknown command 'no-such-command'; try 'pipetrace --help'\n$/);
});

test('report --help names only commands that exist where it says where datasets come from', () => {
  const names = new Set(commands().map((c) => c.name));
  const help = commandHelp('report');
  const recorded = /recorded by pipetrace \(([^)]*)\)/.exec(help);
  assert.ok(recorded, help);
  for (const name of recorded[1].split(', ')) assert.ok(names.has(name), `${name} is a command`);
  assert.ok(recorded[1].split(', ').includes('run'));
});

test('every option --help lists is one the parser takes (and the parser rejects others)', () => {
  for (const { name } of commands()) {
    const unknown = `pipetrace ${name}: unknown option '--no-such-option'; try 'pipetrace ${name} --help'\n`;
    const status = name === 'run' ? 125 : 2;
    for (const o of helpOptions(commandHelp(name))) {
      if (o.long === 'help') continue;
      for (const spelling of [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]) {
        // A value-taking option given last lacks its value; a flag taken lets the parser go
        // on to the next word, which it rejects: nothing runs either way.
        const r = o.value ? pipetrace([name, spelling]) : pipetrace([name, spelling, '--no-such-option']);
        assert.equal(r.status, status, `${name} ${spelling}: ${r.stderr}`);
        assert.equal(r.stderr, o.value
          ? `pipetrace ${name}: option '${spelling}' needs a value; try 'pipetrace ${name} --help'\n`
          : unknown, `${name} ${spelling}`);
      }
    }
    const r = pipetrace([name, '--no-such-option']);
    assert.equal(r.status, status, `${name}: ${r.stderr}`);
    assert.equal(r.stderr, unknown);
  }
});

/** The man page as man renders it, with troff's warnings. */
function renderMan(file) {
  const r = spawnSync('man', ['--warnings', '-l', file], {
    encoding: 'utf8',
    env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat', LANG: 'C.UTF-8' },
  });
  if (r.error) throw r.error;
  return r;
}

test('pipetrace(1) renders with man -l, without warnings, and lists every command and option', () => {
  const r = renderMan(MAN_PAGE);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no troff warnings');
  const page = r.stdout;
  assert.match(page, /^PIPETRACE\(1\)/);
  for (const section of ['NAME', 'SYNOPSIS', 'OPTIONS', 'COMMANDS', 'SEE ALSO'])
    assert.match(page, new RegExp(`^${section}$`, 'm'), section);
  assert.match(page, /^ +-V, --version$/m);
  for (const { name, synopsis } of commands()) {
    assert.ok(page.includes(`pipetrace ${name} ${synopsis}`.trim()), `synopsis of ${name}`);
    const start = page.search(new RegExp(`^ {3}pipetrace ${name}$`, 'm'));
    assert.ok(start > 0, `a section for ${name}`);
    const section = page.slice(start).split(/\n {3}pipetrace [a-z]+\n/)[0];
    for (const o of helpOptions(commandHelp(name))) {
      const heading = `${o.short ? `-${o.short}, ` : ''}--${o.long}${o.value ? ` ${o.value}` : ''}`;
      // A short heading has its text on the same line (.TP), after two spaces at least.
      assert.match(section, new RegExp(`^ +${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: {2}|$)`, 'm'),
        `${name}: ${heading}`);
    }
  }
});

/** Runs the completion in bash for the words of a command line (the last one being completed). */
function complete(words, cwd) {
  const script = [
    `source ${JSON.stringify(COMPLETION)}`,
    'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
    'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}',
    '_pipetrace',
    '((${#COMPREPLY[@]} == 0)) || printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '-c', script, 'bash', ...words], { encoding: 'utf8', cwd });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return [...new Set(lines(r.stdout))].sort();
}

test('bash completion is registered for pipetrace and completes commands and options', () => {
  const r = spawnSync('bash', ['--norc', '-c', `source ${JSON.stringify(COMPLETION)}; complete -p pipetrace`], {
    encoding: 'utf8',
  });
  assert.equal(r.stdout, 'complete -F _pipetrace pipetrace\n', r.stderr);
  const names = commands().map((c) => c.name);
  assert.deepEqual(complete(['pipetrace', 're']), names.filter((n) => n.startsWith('re')).sort());
  assert.deepEqual(complete(['pipetrace', 'rep']), ['report']);
  assert.deepEqual(complete(['pipetrace', 'run', '--pr']), ['--probes']);
  assert.deepEqual(complete(['pipetrace', '']), [...names, '--help', '--version', '-V', '-h'].sort());
  assert.deepEqual(complete(['pipetrace', 'report', '--format', '']), ['csv', 'json', 'markdown', 'text']);
  assert.deepEqual(complete(['pipetrace', 'diff', 'a', '--key', 'n']), ['normalized']);
  assert.deepEqual(complete(['pipetrace', 'report', '--top', '']), [], 'a number is typed');
  assert.deepEqual(complete(['pipetrace', 'no-such-command', '']), []);
  for (const { name } of commands()) {
    const expected = helpOptions(commandHelp(name)).flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]);
    assert.deepEqual(complete(['pipetrace', name, '-']), expected.sort(), `${name} -<TAB>`);
  }
});

test('bash completion: folders for DIR, CMD after run\'s options, then CMD\'s own arguments as files', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'runs-a'));
  fs.mkdirSync(path.join(dir, 'runs-b'));
  fs.writeFileSync(path.join(dir, 'runs.txt'), '');
  assert.deepEqual(complete(['pipetrace', 'report', 'ru'], dir), ['runs-a', 'runs-b']);
  assert.deepEqual(complete(['pipetrace', 'diff', 'runs-a', 'ru'], dir), ['runs-a', 'runs-b']);
  assert.deepEqual(complete(['pipetrace', 'merge', 'runs-a', '-o', 'ru'], dir), ['runs-a', 'runs-b']);
  assert.deepEqual(complete(['pipetrace', 'run', '-o', 'ru'], dir), ['runs-a', 'runs-b']);
  assert.ok(complete(['pipetrace', 'run', '-q', '--', 'ech'], dir).includes('echo'));
  assert.ok(complete(['pipetrace', 'run', '-o', 'x', 'ech'], dir).includes('echo'));
  assert.deepEqual(complete(['pipetrace', 'run', '-o', 'x', '--', 'cat', 'runs.'], dir), ['runs.txt']);
  assert.deepEqual(complete(['pipetrace', 'run', 'cat', '--qu'], dir), [], "CMD's options are CMD's");
});

test('make install puts the man page and the bash completion under PREFIX', () => {
  const dest = tempDir();
  // -o all: install what the suite's build made, without remaking any of it.
  const r = spawnSync('make', ['-s', '-o', 'all', 'install', `BUILD=${BUILD}`, 'PREFIX=/usr/local', `DESTDIR=${dest}`], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const prefix = path.join(dest, 'usr', 'local');
  const man = path.join(prefix, 'share', 'man', 'man1', 'pipetrace.1');
  const completion = path.join(prefix, 'share', 'bash-completion', 'completions', 'pipetrace');
  assert.deepEqual(fs.readFileSync(man), fs.readFileSync(MAN_PAGE));
  assert.deepEqual(fs.readFileSync(completion), fs.readFileSync(COMPLETION));
  assert.ok(fs.statSync(path.join(prefix, 'bin', 'pipetrace')).mode & 0o111, 'the binary');
  assert.equal(renderMan(man).status, 0);
});
