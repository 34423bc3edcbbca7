import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { readdirSync } from 'node:fs';
import { CsvTokenizer, PROBLEM_NONE, PROBLEM_UNTERMINATED_QUOTE } from '../../../src/ingest/csv/tokenizer';
import { Utf8ChunkDecoder } from '../../../src/ingest/csv/utf8';
import { rng } from './generate';
import { FIXTURES, fixture } from './helpers';

interface Tokenized {
  records: string[][];
  lines: number[];
  problems: number[];
  /** The separator the tokenizer found in the first line. */
  delimiter: string;
}

/** The fast tokenizer over raw bytes fed in pieces. */
function tokenize(input: Buffer, pieceBytes = input.length || 1, delimiter?: string): Tokenized {
  const out: Tokenized = { records: [], lines: [], problems: [], delimiter: ',' };
  const t = new CsvTokenizer(
    (fields, n, line, problem) => {
      out.records.push(fields.slice(0, n));
      out.lines.push(line);
      out.problems.push(problem);
    },
    { maxFieldBytes: 1 << 20, ...(delimiter ? { delimiter } : {}) },
  );
  const d = new Utf8ChunkDecoder();
  for (let i = 0; i < input.length; i += pieceBytes) {
    const x = d.decode(input.subarray(i, i + pieceBytes));
    t.push(x.text, x.invalid);
  }
  const x = d.end();
  t.push(x.text, x.invalid);
  t.end();
  out.delimiter = t.delimiter;
  return out;
}

/** csv-parse, the reference: records and the physical line where each starts. */
function reference(input: Buffer, delimiter = ','): { records: string[][]; lines: number[] } {
  const crOnly = (() => {
    const s = input.toString('utf8');
    const cr = s.indexOf('\r');
    const lf = s.indexOf('\n');
    return cr >= 0 && (lf < 0 || cr < lf) && s.charCodeAt(cr + 1) !== 10;
  })();
  const rows = parse(input, {
    bom: true,
    info: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    ...(crOnly ? {} : { record_delimiter: ['\r\n', '\n'] }),
  }) as unknown as { record: string[]; info: { lines: number } }[];
  // csv-parse counts a CRLF inside a quoted field as two lines; a physical CRLF is one.
  const lines: number[] = [];
  let next = 1;
  let overcount = 0;
  for (const r of rows) {
    lines.push(next);
    for (const f of r.record) overcount += f.split('\r\n').length - 1;
    next = r.info.lines - overcount + 1;
  }
  return { records: rows.map((r) => r.record), lines };
}

const PIECES = ['', 'plain', 'two words', ' padded ', 'x"y', 'é', '😀', '\u00a0nbsp', 'line\u2028sep', '12.50', '#1001', "'0042"];

function quoted(r: () => number): string {
  const parts = ['a', ',', '""', '\n', '\r\n', ' ', 'é', '😀', 'text', '\t'];
  let v = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) v += parts[Math.floor(r() * parts.length)];
  return '"' + v + '"';
}

/** A random well-formed CSV file. */
function randomCsv(seed: number): Buffer {
  const r = rng(seed);
  let s = r() < 0.2 ? '\uFEFF' : '';
  const records = 1 + Math.floor(r() * 30);
  for (let i = 0; i < records; i++) {
    const fields = r() < 0.05 ? 1 : 1 + Math.floor(r() * 8);
    const cells: string[] = [];
    for (let k = 0; k < fields; k++) cells.push(r() < 0.35 ? quoted(r) : PIECES[Math.floor(r() * PIECES.length)]!);
    s += cells.join(',');
    if (i < records - 1 || r() < 0.7) s += r() < 0.5 ? '\n' : '\r\n';
  }
  return Buffer.from(s, 'utf8');
}

/** A random file with broken quoting. */
function brokenCsv(seed: number): Buffer {
  const r = rng(seed);
  const parts = ['a', '"', ',', '\n', '""', 'b', '\r\n', '" ', ' "'];
  let s = '';
  const n = 5 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) s += parts[Math.floor(r() * parts.length)];
  return Buffer.from(s, 'utf8');
}

describe('ingest/csv: tokenizer against csv-parse', () => {
  describe('fixtures', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.csv') && f !== 'utf16.csv');
    for (const file of files) {
      const input = fixture(file);
      const ours = tokenize(input);
      if (ours.problems.some((p) => p !== PROBLEM_NONE) || input.length === 0) continue;
      it(`${file}: identical records and start lines`, () => {
        const ref = reference(input, ours.delimiter);
        expect(ours.records).to.deep.equal(ref.records);
        expect(ours.lines).to.deep.equal(ref.lines);
      });
    }
  });

  it('1,500 random well-formed files, fed whole and in random pieces: identical records and lines', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const input = randomCsv(seed);
      const whole = tokenize(input, undefined, ',');
      const ref = reference(input);
      expect(whole.problems.every((p) => p === PROBLEM_NONE), `seed ${seed}`).to.equal(true);
      expect(whole.records, `seed ${seed}`).to.deep.equal(ref.records);
      expect(whole.lines, `seed ${seed}`).to.deep.equal(ref.lines);
      const split = tokenize(input, 1 + (seed % 13), ',');
      expect(split.records, `seed ${seed} split`).to.deep.equal(ref.records);
      expect(split.lines, `seed ${seed} split`).to.deep.equal(ref.lines);
    }
  });

  it('1,500 random broken files: clean records match, and an unclosed quote is always reported', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const input = brokenCsv(seed);
      const ours = tokenize(input, undefined, ',');
      const split = tokenize(input, 1 + (seed % 5), ',');
      expect(split, `seed ${seed} split`).to.deep.equal(ours);
      let ref: { records: string[][]; lines: number[] } | null = null;
      let refError: { code?: string } | null = null;
      try {
        ref = reference(input);
      } catch (err) {
        refError = err as { code?: string };
      }
      if (refError !== null) {
        expect(refError.code, `seed ${seed}`).to.equal('CSV_QUOTE_NOT_CLOSED');
        expect(ours.problems[ours.problems.length - 1], `seed ${seed}`).to.equal(PROBLEM_UNTERMINATED_QUOTE);
        continue;
      }
      if (ours.problems.some((p) => p !== PROBLEM_NONE)) continue;
      expect(ours.records, `seed ${seed}`).to.deep.equal(ref!.records);
      expect(ours.lines, `seed ${seed}`).to.deep.equal(ref!.lines);
    }
  });

  it('reports where invalid UTF-8 bytes are, across piece boundaries', () => {
    const input = Buffer.concat([Buffer.from('a,b\nc,"d\n'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('"\né,ok\n')]);
    for (const piece of [1, 2, 3, 100]) {
      const t = tokenize(input, piece);
      expect(t.problems, `piece ${piece}`).to.deep.equal([PROBLEM_NONE, 4, PROBLEM_NONE]);
      expect(t.records[2], `piece ${piece}`).to.deep.equal(['é', 'ok']);
    }
  });

  it('carries multi-byte characters split between pieces', () => {
    const input = Buffer.from('x,y\n😀é€,"a\n😀"\n', 'utf8');
    for (let piece = 1; piece <= 5; piece++) expect(tokenize(input, piece).records).to.deep.equal([['x', 'y'], ['😀é€', 'a\n😀']]);
  });
});
