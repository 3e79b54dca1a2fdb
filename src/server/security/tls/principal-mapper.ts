/**
 * mTLS principals as Kafka's DefaultKafkaPrincipalBuilder makes them: the client certificate's
 * subject as an RFC 2253 distinguished name (X500Principal.getName(): "CN=alice,OU=eng,O=acme",
 * most specific first), mapped by ssl.principal.mapping.rules (SslPrincipalMapper):
 *   rules    = rule ("," rule)*
 *   rule     = "DEFAULT" | "RULE:" pattern "/" replacement "/" ["L" | "U"]
 * The first rule whose pattern matches the whole DN gives the name (DEFAULT: the DN itself);
 * no match fails the authentication. Patterns are Java regexes run as JavaScript ones, which
 * agree on the usual subset (groups, classes, quantifiers, anchors).
 */
export class NoMatchingRuleError extends Error {
  override readonly name = 'NoMatchingRuleError';
}

interface Rule {
  readonly isDefault: boolean;
  readonly pattern?: RegExp;
  readonly source?: string;
  readonly replacement?: string;
  readonly lower?: boolean;
  readonly upper?: boolean;
}

const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const RULE_SPLITTER = new RegExp(String.raw`\s*(` + RULE + String.raw`)\s*(?:,\s*|$)`, 'gy');
const RULE_PARSER = new RegExp(`^(?:${RULE})`);

function splitRules(rules: string): string[] {
  const out: string[] = [];
  const s = rules.trim();
  RULE_SPLITTER.lastIndex = 0;
  while (RULE_SPLITTER.lastIndex < s.length) {
    const m = RULE_SPLITTER.exec(s);
    if (!m || m[0].length === 0) break;
    out.push(m[1]!);
  }
  return out;
}

function parseRules(rules: readonly string[]): Rule[] {
  const out: Rule[] = [];
  for (const rule of rules) {
    const m = RULE_PARSER.exec(rule);
    if (!m) throw new Error(`Invalid rule: ${rule}`);
    if (m[0].length !== rule.length) throw new Error(`Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``);
    if (m[1] !== undefined) out.push({ isDefault: true });
    else if (m[2] !== undefined) {
      out.push({ isDefault: false, pattern: new RegExp(m[2]), source: m[2], replacement: m[3]!, lower: m[4] === 'L', upper: m[4] === 'U' });
    }
  }
  return out;
}

/**
 * Java's Matcher.replaceAll replacement syntax: "$n" a group (the longest group number that
 * exists; an absent one is literal, as Kafka's escapeLiteralBackReferences makes it), "\x" a literal x.
 */
function javaReplacement(replacement: string, groups: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\' && i + 1 < replacement.length) {
      out += replacement[++i];
    } else if (ch === '$' && /\d/.test(replacement[i + 1] ?? '')) {
      let j = i + 1;
      while (j < replacement.length && /\d/.test(replacement[j]!)) j++;
      let digits = replacement.slice(i + 1, j);
      while (digits.length > 1 && Number(digits) >= groups.length) digits = digits.slice(0, -1);
      if (Number(digits) >= groups.length) {
        out += '$' + digits;
      } else {
        out += groups[Number(digits)] ?? '';
      }
      i += digits.length;
    } else out += ch;
  }
  return out;
}

export class SslPrincipalMapper {
  readonly #rules: Rule[];

  constructor(rules = 'DEFAULT') {
    this.#rules = parseRules(splitRules(rules));
  }

  name(distinguishedName: string): string {
    for (const r of this.#rules) {
      if (r.isDefault) return distinguishedName;
      const whole = new RegExp(`^(?:${r.source!})$`);
      if (!whole.test(distinguishedName)) continue;
      let result = distinguishedName.replace(new RegExp(r.source!, 'g'), (...args: unknown[]) => {
        const groupCount = args.findIndex((a) => typeof a === 'number') - 1;
        return javaReplacement(r.replacement!, args.slice(0, groupCount + 1) as (string | undefined)[]);
      });
      if (r.lower) result = result.toLowerCase();
      else if (r.upper) result = result.toUpperCase();
      return result;
    }
    throw new NoMatchingRuleError(`No rules apply to ${distinguishedName}, rules [${this.#rules.map(ruleString).join(', ')}]`);
  }
}

function ruleString(r: Rule): string {
  if (r.isDefault) return 'DEFAULT';
  return `RULE:${r.source!}/${r.replacement!}${r.lower ? '/L' : r.upper ? '/U' : ''}`;
}

/**
 * RFC 2253 text of a subject as Node prints it (`X509Certificate.subject`: one "key=value" per
 * line, in certificate order): reversed, comma-joined, with RFC 2253's escapes.
 */
export function rfc2253FromNodeSubject(subject: string): string {
  return subject
    .split('\n')
    .filter((l) => l.length > 0)
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      const key = rdn.slice(0, eq);
      const value = rdn.slice(eq + 1).replace(/\\(.)/g, '$1');
      return `${key}=${value.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ')}`;
    })
    .join(',');
}
