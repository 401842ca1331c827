import { describe, it, expect } from 'vitest';
import {
  evaluate,
  ExpressionError,
  MAX_DEPTH,
  MAX_SOURCE_LENGTH,
  namesIn,
  parseExpression,
  type ExpressionScope,
} from '../../engine/taskrouter/expression/index.js';

const worker = {
  skills: ['support', 'sales'],
  languages: ['english', 'french'],
  level: 5,
  level_text: '5',
  rating: 4.5,
  name: 'Alice Smith',
  vip: true,
  manager: null,
  profile: { team: { name: 'blue', size: 7 }, tags: ['night shift', 'remote'] },
  activity_name: 'Generally Available',
};

const task = {
  type: 'ticket',
  customer_value: 'Gold',
  language: 'en',
  skill_rating: 6,
  required_skill: 'support',
  object: { array: ['a', 'b', 'c'], attr: 'bar', param: 'pear' },
};

/** Parses and evaluates; bare names read the worker unless told otherwise. */
function run(source: string, scope: Partial<ExpressionScope> = {}): boolean {
  return evaluate(parseExpression(source), { worker, task, bare: 'worker', ...scope });
}

/** The ExpressionError that parsing `source` throws. */
function parseError(source: string): ExpressionError {
  try {
    parseExpression(source);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw new Error(`expected an ExpressionError for ${JSON.stringify(source)}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe('TaskRouter expressions: Twilio documentation examples', () => {
  it('evaluates the TargetWorkers and filter examples', () => {
    expect(run("(skills HAS 'support') AND (languages HAS 'english')")).toBe(true);
    expect(run("(skills HAS 'billing') AND (languages HAS 'english')")).toBe(false);
    expect(run("customer_value == 'Gold' AND type == 'ticket'", { bare: 'task' })).toBe(true);
    expect(run("customer_value == 'Gold' AND type == 'lead'", { bare: 'task' })).toBe(false);
  });

  it('evaluates the expression-structure examples', () => {
    const scope: Partial<ExpressionScope> = { bare: 'task' };
    expect(run('1 == 1', scope)).toBe(true);
    expect(run('1==1', scope)).toBe(true);
    expect(run('0 != 1', scope)).toBe(true);
    expect(run('"apple" != "orange"', scope)).toBe(true);
    expect(run('skill_rating > 1', scope)).toBe(true);
    expect(run('object.param != "apple"', scope)).toBe(true);
    expect(run('language IN ["en", "es"]', scope)).toBe(true);
    expect(run('language IN ["de", "es"]', scope)).toBe(false);
    expect(run('(condition_a == true) OR (condition_b == true)', { task: { condition_b: true }, bare: 'task' })).toBe(true);
    expect(run('(condition_a == true) OR (condition_b == true)', { task: { condition_b: false }, bare: 'task' })).toBe(false);
    expect(run('(language == "en" OR language == "fr") AND skill_rating >= 5.1', scope)).toBe(true);
    expect(run('(language == "en" OR language == "fr") AND skill_rating >= 5.1', { task: { language: 'fr', skill_rating: 5 }, bare: 'task' })).toBe(false);
  });

  it('resolves the documented keys of the task attributes', () => {
    const scope: Partial<ExpressionScope> = { bare: 'task' };
    expect(run('object.array HAS "b"', scope)).toBe(true);
    expect(run('object.array[2] == "c"', scope)).toBe(true);
    expect(run('object.attr == "bar"', scope)).toBe(true);
    expect(run('object.array[3] == null', scope)).toBe(true);
  });

  it('evaluates the activity-based routing example', () => {
    expect(run("worker.activity_name in ['Generally Available', 'High Value Tasks']")).toBe(true);
    expect(run("worker.activity_name in ['Offline', 'High Value Tasks']")).toBe(false);
  });
});

describe('TaskRouter expressions: operators', () => {
  it('== and = and != and <>', () => {
    expect(run("name == 'Alice Smith'")).toBe(true);
    expect(run("name = 'Alice Smith'")).toBe(true);
    expect(run("name == 'alice smith'")).toBe(false);
    expect(run("name != 'Bob'")).toBe(true);
    expect(run("name <> 'Bob'")).toBe(true);
    expect(run("name <> 'Alice Smith'")).toBe(false);
    expect(run('vip == true')).toBe(true);
    expect(run('vip == false')).toBe(false);
    expect(run('vip == TRUE')).toBe(true);
    expect(run('manager == null')).toBe(true);
    expect(run("skills == ['support', 'sales']")).toBe(true);
    expect(run("skills == ['sales', 'support']")).toBe(false);
  });

  it('<, >, <=, >= on numbers, floats and negatives', () => {
    expect(run('level < 6')).toBe(true);
    expect(run('level < 5')).toBe(false);
    expect(run('level <= 5')).toBe(true);
    expect(run('level > 4.99')).toBe(true);
    expect(run('level >= 5.0')).toBe(true);
    expect(run('level >= 5.01')).toBe(false);
    expect(run('rating > -1')).toBe(true);
    expect(run('-2.5 < -1')).toBe(true);
    expect(run('1e3 == 1000')).toBe(true);
  });

  it('compares strings as strings', () => {
    expect(run("name < 'Bob'")).toBe(true);
    expect(run("name > 'Bob'")).toBe(false);
    expect(run("'10' < '9'")).toBe(true);
    expect(run("'abc' >= 'abc'")).toBe(true);
  });

  it('compares a number with a numeric string as numbers, and nothing else across types', () => {
    expect(run('level_text == 5')).toBe(true);
    expect(run("level == '5'")).toBe(true);
    expect(run("level == '5.0'")).toBe(true);
    expect(run('level_text > 4')).toBe(true);
    expect(run("level == ' 5'")).toBe(false);
    expect(run("level == ''")).toBe(false);
    expect(run("level == '0x5'")).toBe(false);
    expect(run("name > 1")).toBe(false);
    expect(run("vip == 'true'")).toBe(false);
    expect(run('vip == 1')).toBe(false);
    expect(run('vip > false')).toBe(false);
    expect(run("skills > 'a'")).toBe(false);
  });

  it('IN and NOT IN', () => {
    expect(run("name IN ['Alice Smith', 'Bob']")).toBe(true);
    expect(run("name in ['Carol']")).toBe(false);
    expect(run("name NOT IN ['Carol']")).toBe(true);
    expect(run("name not in ['Alice Smith']")).toBe(false);
    expect(run('level IN [1, 5, 9]')).toBe(true);
    expect(run("level IN ['5']")).toBe(true);
    expect(run('vip IN [true]')).toBe(true);
    expect(run('level IN []')).toBe(false);
    expect(run('level NOT IN []')).toBe(true);
  });

  it('IN with an array on the left is true when any element is in the right array', () => {
    expect(run("skills IN ['sales', 'billing']")).toBe(true);
    expect(run("skills IN ['billing']")).toBe(false);
    expect(run("skills NOT IN ['billing']")).toBe(true);
    expect(run("skills NOT IN ['support']")).toBe(false);
  });

  it('IN reads the right side from a name, and a scalar right side is a list of one', () => {
    expect(run('task.required_skill IN worker.skills')).toBe(true);
    expect(run("name IN 'Alice Smith'")).toBe(true);
  });

  it('HAS (and its -> form)', () => {
    expect(run("skills HAS 'support'")).toBe(true);
    expect(run("skills has 'billing'")).toBe(false);
    expect(run("skills -> 'sales'")).toBe(true);
    expect(run("worker.skills HAS task.required_skill")).toBe(true);
    expect(run("name HAS 'Alice Smith'")).toBe(true);
    expect(run("name HAS 'Alice'")).toBe(false);
    expect(run("NOT skills HAS 'billing'")).toBe(true);
  });

  it('CONTAINS (and its ~ form), case-sensitive', () => {
    expect(run("name CONTAINS 'Smith'")).toBe(true);
    expect(run("name contains 'smith'")).toBe(false);
    expect(run("name ~ 'ice S'")).toBe(true);
    expect(run("profile.tags CONTAINS 'night'")).toBe(true);
    expect(run("profile.tags CONTAINS 'day'")).toBe(false);
    expect(run('level CONTAINS 5')).toBe(false);
    expect(run("level_text CONTAINS '5'")).toBe(true);
  });
});

describe('TaskRouter expressions: logic and precedence', () => {
  it('AND, OR, NOT and their symbol forms', () => {
    expect(run('1 == 1 AND 2 == 2')).toBe(true);
    expect(run('1 == 1 && 2 == 3')).toBe(false);
    expect(run('1 == 2 OR 2 == 2')).toBe(true);
    expect(run('1 == 2 || 2 == 3')).toBe(false);
    expect(run('NOT 1 == 2')).toBe(true);
    expect(run('!1 == 1')).toBe(false);
    expect(run('!(1 == 1)')).toBe(false);
    expect(run('NOT NOT 1 == 1')).toBe(true);
  });

  it('keywords are case-insensitive', () => {
    expect(run("1 == 1 and 2 == 2 AnD skills HaS 'support'")).toBe(true);
    expect(run('1 == 2 or 1 == 1')).toBe(true);
    expect(run('not 1 == 2')).toBe(true);
    expect(run("name In ['Alice Smith'] AND name Not In ['Bob'] AND name CONTAINS 'A'")).toBe(true);
    expect(run('vip == True AND manager == NULL')).toBe(true);
  });

  it('AND binds tighter than OR', () => {
    // true OR (false AND false) is true; (true OR false) AND false would be false.
    expect(run('1 == 1 OR 1 == 2 AND 1 == 2')).toBe(true);
    // (false AND x) OR true
    expect(run('1 == 2 AND 1 == 1 OR 1 == 1')).toBe(true);
    expect(run('(1 == 1 OR 1 == 2) AND 1 == 2')).toBe(false);
  });

  it('NOT binds tighter than AND and OR', () => {
    // (NOT true) OR true is true; NOT (true OR true) would be false.
    expect(run('NOT 1 == 1 OR 1 == 1')).toBe(true);
    // (NOT false) AND false is false; NOT (false AND false) would be true.
    expect(run('NOT 1 == 2 AND 1 == 2')).toBe(false);
    expect(run('NOT (1 == 2 AND 1 == 2)')).toBe(true);
  });

  it('nests parentheses', () => {
    expect(run("((skills HAS 'support' OR skills HAS 'billing') AND (level > 3 AND NOT (vip == false)))")).toBe(true);
    const deep = `${'('.repeat(MAX_DEPTH)}1 == 1${')'.repeat(MAX_DEPTH)}`;
    expect(run(deep)).toBe(true);
  });
});

describe('TaskRouter expressions: names and scope', () => {
  it('follows nested attribute paths and array indices', () => {
    expect(run("profile.team.name == 'blue'")).toBe(true);
    expect(run('profile.team.size >= 7')).toBe(true);
    expect(run("profile.tags[1] == 'remote'")).toBe(true);
    expect(run("profile.tags.0 == 'night shift'")).toBe(true);
    expect(run('worker.profile.team.size == 7')).toBe(true);
  });

  it('reads task. and worker. names from their documents, and bare names from the bare one', () => {
    expect(run("type == 'ticket'", { bare: 'task' })).toBe(true);
    expect(run("type == 'ticket'", { bare: 'worker' })).toBe(false);
    expect(run("skills HAS 'support'", { bare: 'worker' })).toBe(true);
    expect(run("skills HAS 'support'", { bare: 'task' })).toBe(false);
    expect(run("task.type == 'ticket' AND worker.skills HAS 'support'", { bare: 'task' })).toBe(true);
    expect(run("task.type == 'ticket' AND worker.skills HAS 'support'", { bare: 'worker' })).toBe(true);
    expect(run("task.language IN ['en'] AND worker.languages HAS 'english' AND level == 5")).toBe(true);
  });

  it('resolves extra names before the bare document', () => {
    const extra = { workers: { available: 0 } };
    expect(run('workers.available == 0', { extra, bare: 'task' })).toBe(true);
    expect(run('workers.available > 0', { extra, bare: 'task' })).toBe(false);
    expect(run('workers.available == 0', { bare: 'task' })).toBe(false);
    // A bare name that extra does not hold still reads the bare document.
    expect(run("type == 'ticket' AND workers.available == 0", { extra, bare: 'task' })).toBe(true);
    // task./worker. prefixes win over extra.
    expect(run("task.type == 'ticket'", { extra: { task: { type: 'x' } }, bare: 'worker' })).toBe(true);
  });

  it('treats a missing key as null: comparisons are false, != and NOT IN are true', () => {
    expect(run("missing == 'x'")).toBe(false);
    expect(run("missing != 'x'")).toBe(true);
    expect(run('missing > 1')).toBe(false);
    expect(run('missing < 1')).toBe(false);
    expect(run('missing <= 1')).toBe(false);
    expect(run("missing IN ['x']")).toBe(false);
    expect(run("missing NOT IN ['x']")).toBe(true);
    expect(run("missing HAS 'x'")).toBe(false);
    expect(run("missing CONTAINS 'x'")).toBe(false);
    expect(run('missing == null')).toBe(true);
    expect(run('level != null')).toBe(true);
    expect(run("profile.nothing.deeper == 'x'")).toBe(false);
    expect(run("name.first == 'Alice'")).toBe(false);
    expect(run("skills.length == 2")).toBe(false);
    expect(run("profile.constructor == 'x'")).toBe(false);
    expect(run("skills HAS 'support'", { worker: undefined })).toBe(false);
    expect(run('manager == missing')).toBe(true);
  });

  it('lists the names an expression reads, as written, once each', () => {
    const expr = parseExpression("task.type == 'ticket' AND (worker.skills HAS task.required_skill OR skills HAS 'x') AND NOT task.type == 'y' AND a[2] == 1");
    expect(namesIn(expr)).toEqual([['task', 'type'], ['worker', 'skills'], ['task', 'required_skill'], ['skills'], ['a', '2']]);
    expect(namesIn(parseExpression('1 == 1'))).toEqual([]);
    expect(namesIn(parseExpression("task.type == 'x'")).some((path) => path[0] === 'worker')).toBe(false);
  });

  it('allows keywords inside dotted names, and a keyword as the first key of a longer name', () => {
    expect(run("task.object.param == 'pear'")).toBe(true);
    expect(run('in.x == 1', { worker: { in: { x: 1 } } })).toBe(true);
  });
});

describe('TaskRouter expressions: literals', () => {
  it('reads single- and double-quoted strings with escapes', () => {
    expect(run(`'it\\'s' == "it's"`)).toBe(true);
    expect(run(`"say \\"hi\\"" == 'say "hi"'`)).toBe(true);
    expect(run(`'a\\\\b' CONTAINS '\\\\'`, {})).toBe(true);
    expect(run(`'a\\\\b' == "a\\\\b"`)).toBe(true);
    // A backslash before any other character is kept as it is.
    expect(run(`'a\\nb' CONTAINS 'n'`)).toBe(true);
    expect(run(`'' == ""`)).toBe(true);
  });

  it('reads arrays of mixed constants', () => {
    expect(run(`level IN ["en", 'es', 1, true, null, 5]`)).toBe(true);
    expect(run(`vip IN ["en", 'es', 1, true]`)).toBe(true);
    expect(run(`manager IN [null]`)).toBe(true);
    expect(run(`['a', 'b'] HAS 'b'`)).toBe(true);
  });
});

describe('TaskRouter expressions: errors', () => {
  it('reports an unclosed quote at the opening quote', () => {
    const err = parseError("name == 'Alice");
    expect(err.position).toBe(8);
    expect(err.message).toBe("Invalid expression at character 9: the string that starts here is not closed; expected a closing single quote (')");
    expect(parseError('name == "Alice').reason).toContain('double quote');
  });

  it('reports a missing operand', () => {
    const err = parseError('skill_rating >= ');
    expect(err.position).toBe(16);
    expect(err.message).toBe(
      "Invalid expression at character 17: expected a value (a string, number, true, false, null, array or name) after '>=', found the end of the expression",
    );
    expect(parseError('language == AND x == 1').message).toMatch(/^Invalid expression at character 13: expected a value .* after '==', found 'AND'$/);
    expect(parseError("== 'x'").position).toBe(0);
    expect(parseError('a == 1 AND').position).toBe(10);
    expect(parseError('a NOT IN').reason).toContain("after 'NOT IN'");
  });

  it('reports an unknown operator', () => {
    const err = parseError("name LIKE 'A%'");
    expect(err.position).toBe(5);
    expect(err.reason).toBe("expected an operator (==, !=, <, >, <=, >=, IN, NOT IN, HAS or CONTAINS) after 'name', found 'LIKE'");
    expect(parseError('a === 1').position).toBe(4);
    expect(parseError("a => 'x'").reason).toBe("expected a value (a string, number, true, false, null, array or name) after '=', found '>'");
    expect(parseError('a & b').reason).toBe("unexpected character '&'; did you mean '&&'?");
    expect(parseError('a # b').reason).toBe("unexpected character '#'");
    expect(parseError("a NOT 'x'").reason).toBe("expected IN after 'NOT' (NOT IN), found ''x''");
    expect(parseError("skills").reason).toContain("after 'skills', found the end of the expression");
    expect(parseError('true').reason).toContain("after 'true'");
  });

  it('reports a hyphen in a name', () => {
    const err = parseError('skill-level == 1');
    expect(err.position).toBe(5);
    expect(err.message).toBe("Invalid expression at character 6: hyphens are not allowed in names ('skill-level'); use letters, digits and '_'");
    expect(parseError('worker.first-name == "x"').position).toBe(12);
    expect(parseError('a == -b').reason).toContain("expected a digit after '-'");
  });

  it('reports unbalanced parentheses', () => {
    const open = parseError('(a == 1 AND (b == 2)');
    expect(open.position).toBe(20);
    expect(open.reason).toBe("expected ')' to close the '(' at character 1, found the end of the expression");
    const close = parseError('a == 1)');
    expect(close.position).toBe(6);
    expect(close.reason).toBe("unexpected ')' with no matching '('");
    expect(parseError('()').reason).toContain("found ')'");
  });

  it('reports nesting deeper than the limit, for parentheses and for NOT', () => {
    const parens = parseError(`${'('.repeat(MAX_DEPTH + 1)}1 == 1${')'.repeat(MAX_DEPTH + 1)}`);
    expect(parens.position).toBe(MAX_DEPTH);
    expect(parens.reason).toBe(`the expression nests parentheses and NOT more than ${MAX_DEPTH} levels deep`);
    expect(parseError(`${'!'.repeat(MAX_DEPTH + 1)}1 == 1`).position).toBe(MAX_DEPTH);
    expect(parseError(`${'NOT '.repeat(MAX_DEPTH + 1)}1 == 1`).position).toBe(MAX_DEPTH * 4);
    // The longest source of nothing but parentheses fails cleanly, without a stack overflow.
    expect(parseError('('.repeat(MAX_SOURCE_LENGTH)).reason).toContain('levels deep');
  });

  it('reports a source over the length limit', () => {
    const long = `name == '${'x'.repeat(MAX_SOURCE_LENGTH)}'`;
    const err = parseError(long);
    expect(err.position).toBe(MAX_SOURCE_LENGTH);
    expect(err.reason).toBe(`the expression is ${long.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`);
  });

  it('reports empty and whitespace-only expressions', () => {
    expect(parseError('').message).toBe('Invalid expression at character 1: the expression is empty; expected a comparison such as 1 == 1');
    expect(parseError('  \t\n ').position).toBe(0);
  });

  it('reports bad names, numbers and arrays', () => {
    expect(parseError('a..b == 1').reason).toBe("expected a key after '.' in a name, found '.'");
    expect(parseError('a. == 1').position).toBe(2);
    expect(parseError('a["b"] == 1').reason).toContain('quoted keys in brackets are not supported');
    expect(parseError('1abc == 1').reason).toBe("a number cannot be followed by 'a'; names start with a letter or '_'");
    expect(parseError('a == 1.').reason).toBe('expected a digit after the decimal point, found the end of the expression');
    expect(parseError('a == 1e999').reason).toBe('the number 1e999 is out of range');
    expect(parseError('a IN [1, 2').reason).toBe("expected ',' or ']' in the array opened at character 6, found the end of the expression");
    expect(parseError('a IN [1,]').reason).toContain("in the array, found ']'");
    expect(parseError('a IN [[1]]').position).toBe(6);
    expect(parseError('a IN [b]').reason).toBe("an array may hold only constants, not the name 'b'");
    expect(parseError("a == 'x' b == 'y'").reason).toBe("expected AND, OR or the end of the expression, found 'b'");
  });

  it('throws only ExpressionError for arbitrary input', () => {
    const alphabet = ['a', 'b.c', '1', '-2.5', "'s'", '"t"', '(', ')', '[', ']', ',', '==', '=', '!=', '<>', '<', '>=', '!', '&&', '||',
      ' AND ', ' or ', ' NOT ', ' IN ', ' has ', ' contains ', ' true ', ' null ', '->', '~', '-', '&', '\\', "'", ' ', 'é', '[0]', '.'];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let parsed = 0;
    const wrong: string[] = [];
    for (let round = 0; round < 3000; round++) {
      let source = '';
      const length = 1 + random(12);
      for (let i = 0; i < length; i++) source += alphabet[random(alphabet.length)];
      try {
        const expr = parseExpression(source);
        parsed++;
        if (typeof evaluate(expr, { worker, task, bare: 'worker' }) !== 'boolean') wrong.push(`${source}: not a boolean`);
      } catch (err) {
        const good = err instanceof ExpressionError && err.position >= 0 && err.position <= source.length
          && err.message === `Invalid expression at character ${err.position + 1}: ${err.reason}`;
        if (!good) wrong.push(`${source}: ${String(err)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(parsed).toBeGreaterThan(0);
    expect(parseError(undefined as unknown as string).reason).toBe('the expression must be a string');
  });
});

describe('TaskRouter expressions: parse once, evaluate many times', () => {
  it('precompiles names into key arrays and reuses one AST across many scopes without changing it', () => {
    const expr = parseExpression("(skills HAS 'support' AND level >= 3) OR worker.profile.team.name == 'red'");
    const snapshot = JSON.stringify(expr);
    expect(snapshot).toContain('"path":["profile","team","name"]');
    const workers = Array.from({ length: 100 }, (_, i) => ({
      skills: i % 2 === 0 ? ['support'] : ['sales'],
      level: i % 10,
      profile: { team: { name: i % 7 === 0 ? 'red' : 'blue' } },
    }));
    let matches = 0;
    for (let round = 0; round < 200; round++) {
      for (const w of workers) if (evaluate(expr, { worker: w, bare: 'worker' })) matches++;
    }
    // Per 100 workers: 35 even ones with level >= 3, plus the odd multiples of 7 (7, 21, 35, 49, 63, 77, 91)
    // that are not already counted.
    let perRound = 0;
    for (let i = 0; i < 100; i++) if ((i % 2 === 0 && i % 10 >= 3) || i % 7 === 0) perRound++;
    expect(matches).toBe(perRound * 200);
    expect(JSON.stringify(expr)).toBe(snapshot);
  });
});
