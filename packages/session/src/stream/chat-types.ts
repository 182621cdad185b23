/**
 * The shapes of OpenAI-style chat completions, streamed (chunks of deltas) and whole, as far as
 * {@link ChatCompletionAccumulator} reads and writes them. Fields this SDK does not know pass
 * through untyped.
 * @module
 */

/** Token usage as the API reports it (the last chunk carries it with `stream_options.include_usage`). */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [key: string]: unknown;
}

/** A piece of one tool call in a delta; pieces with the same `index` belong together. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** What one chunk adds to one choice. */
export interface ChatCompletionDelta {
  role?: string;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ToolCallDelta[];
  /** The legacy `functions` API: one call, its arguments in pieces. */
  function_call?: { name?: string; arguments?: string };
  [key: string]: unknown;
}

/** One choice of a chunk. */
export interface ChatCompletionChunkChoice {
  index: number;
  delta: ChatCompletionDelta;
  finish_reason?: string | null;
  logprobs?: { content?: unknown[] | null; refusal?: unknown[] | null } | null;
}

/** One `data:` event of a streamed chat completion. */
export interface ChatCompletionChunk {
  id: string;
  object?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  choices: ChatCompletionChunkChoice[];
  usage?: CompletionUsage | null;
  [key: string]: unknown;
}

/** A complete tool call. */
export interface ToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

/** The assistant message of a whole completion. */
export interface ChatCompletionMessage {
  role: string;
  content: string | null;
  refusal?: string | null;
  tool_calls?: ToolCall[];
  /** The legacy `functions` API's call. */
  function_call?: { name: string; arguments: string };
}

/** One choice of a whole completion. */
export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  logprobs: { content: unknown[] | null; refusal?: unknown[] | null } | null;
  finish_reason: string | null;
}

/** A whole (non-streamed) chat completion. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}
