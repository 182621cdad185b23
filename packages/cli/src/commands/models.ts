/**
 * `m2m models list|search|info`: the model cards of `@m2m/core`.
 * @module
 */
import { M2MError } from '@m2m/core';
import { getModel, listModels, PRICES_AS_OF, PRICES_SOURCE, searchModels, type ModelCard } from '@m2m/core/models';
import { parse } from '../args.js';
import { paint, toJson, type Io } from '../io.js';

const HELP = `m2m models: model cards (provider, context window, max output, encoding, prices per 1M tokens)

Usage:
  m2m models list [--provider P] [--json]   every card, or one provider's
  m2m models search QUERY [--json]          cards matching every word of QUERY
  m2m models info MODEL [--json]            one card by id, alias or dated snapshot

Prices in USD per 1M tokens, as of ${PRICES_AS_OF}, from ${PRICES_SOURCE}.`;

const price = (v: number | null) => (v === null ? '-' : `$${v}`);

function table(cards: readonly ModelCard[]): string {
  const header = ['id', 'provider', 'context', 'max out', 'encoding', 'in/1M', 'out/1M'];
  const rows = cards.map((c) => [c.id, c.provider, String(c.contextWindow), String(c.maxOutputTokens), c.encoding, price(c.inputPerMTok), price(c.outputPerMTok)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i !== 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Runs `models`; returns the exit code. @throws M2MError ModelNotFound (info), Config (usage). */
export function modelsCommand(io: Io, argv: string[]): number {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, { provider: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h' || values.help) {
    io.out(HELP);
    return 0;
  }
  switch (sub) {
    case 'list': {
      const cards = listModels(values.provider === undefined ? {} : { provider: values.provider });
      io.out(values.json ? toJson(cards) : `${table(cards)}\n\n${cards.length} models; prices as of ${PRICES_AS_OF}`);
      return 0;
    }
    case 'search': {
      const query = positionals.join(' ');
      if (query.trim() === '') throw new M2MError('Config', { reason: 'models search needs a QUERY' });
      const cards = searchModels(query);
      if (values.json) io.out(toJson(cards));
      else io.out(cards.length === 0 ? `no model matches ${JSON.stringify(query)}` : table(cards));
      return cards.length === 0 ? 1 : 0;
    }
    case 'info': {
      if (positionals[0] === undefined) throw new M2MError('Config', { reason: 'models info needs a MODEL' });
      let c: ModelCard;
      try {
        c = getModel(positionals[0]);
      } catch (e) {
        // `models info claude-sonnet`: name the cards the user probably meant.
        const near = (e as { code?: unknown } | null)?.code === 'MODEL_NOT_FOUND' ? searchModels(positionals[0].replace(/[-_.]+/g, ' ')).slice(0, 5) : [];
        if (!near.length) throw e;
        io.err(`${paint(io, 'red', 'MODEL_NOT_FOUND')}: ${(e as Error).message}; cards that match: ${near.map((m) => m.id).join(', ')}`);
        return 1;
      }
      if (values.json) {
        io.out(toJson(c));
        return 0;
      }
      io.out(
        [
          `${c.name} (${c.id})`,
          `  provider        ${c.provider}`,
          `  aliases         ${c.aliases.length ? c.aliases.join(', ') : '-'}`,
          `  context window  ${c.contextWindow} tokens`,
          `  max output      ${c.maxOutputTokens} tokens`,
          `  encoding        ${c.encoding}${c.exactTokenizer ? '' : ' (an estimate: not this model’s own tokenizer)'}`,
          `  input           ${price(c.inputPerMTok)} per 1M tokens`,
          `  output          ${price(c.outputPerMTok)} per 1M tokens`,
          `  prices as of    ${PRICES_AS_OF}`,
        ].join('\n'),
      );
      return 0;
    }
    default:
      throw new M2MError('Config', { reason: `unknown models command ${sub}: use list, search or info` });
  }
}
