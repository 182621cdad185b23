/**
 * The shapes of OpenAI-style chat completions, streamed (chunks of deltas) and whole, as far as
 * {@link ChatCompletionAccumulator} reads and writes them. Fields this SDK does not know pass
 * through untyped.
 * @module
 */

/** Token usage as the API reports it (the last chunk carries it with `stream_options.include_usage`). */
export interface CompletionUsage {
  /** Tokens in the prompt (input). */
  prompt_tokens: number;
  /** Tokens in the generated reply (output). */
  completion_tokens: number;
  /** `prompt_tokens + completion_tokens`. */
  total_tokens: number;
  /** Provider extras (like `prompt_tokens_details`), passed through untyped. */
  [key: string]: unknown;
}

/** A piece of one tool call in a delta; pieces with the same `index` belong together. */
export interface ToolCallDelta {
  /** Which tool call of the choice this piece belongs to (0-based). */
  index: number;
  /** The call id; usually sent with the first piece only. */
  id?: string;
  /** Call type (`function`); usually sent with the first piece only. */
  type?: string;
  /** Function name (first piece) and a fragment of its JSON `arguments`, appended in order. */
  function?: { name?: string; arguments?: string };
}

/** What one chunk adds to one choice. */
export interface ChatCompletionDelta {
  /** Author role; usually only in the first chunk. */
  role?: string;
  /** A fragment of the reply text, appended in order; `null` or absent adds nothing. */
  content?: string | null;
  /** A fragment of a refusal message, appended in order. */
  refusal?: string | null;
  /** Fragments of tool calls, grouped by their `index`. */
  tool_calls?: ToolCallDelta[];
  /** The legacy `functions` API: one call, its arguments in pieces. */
  function_call?: { name?: string; arguments?: string };
  /** Fields this SDK does not know, passed through untyped. */
  [key: string]: unknown;
}

/** One choice of a chunk. */
export interface ChatCompletionChunkChoice {
  /** Which choice this is (0-based; requests with `n > 1` stream several). */
  index: number;
  /** What this chunk adds to the choice. */
  delta: ChatCompletionDelta;
  /** Why generation stopped (`stop`, `length`, `tool_calls`, ...); `null` until the choice's last chunk. */
  finish_reason?: string | null;
  /** Token log probabilities of this chunk, when requested; the accumulator concatenates them. */
  logprobs?: { content?: unknown[] | null; refusal?: unknown[] | null } | null;
}

/** One `data:` event of a streamed chat completion. */
export interface ChatCompletionChunk {
  /** Completion id, the same in every chunk of one stream. */
  id: string;
  /** Object type, `chat.completion.chunk`. */
  object?: string;
  /** Creation time in Unix seconds. */
  created?: number;
  /** The model that produced the stream. */
  model?: string;
  /** Backend configuration fingerprint, when the provider sends one. */
  system_fingerprint?: string | null;
  /** Service tier that served the request, when the provider sends one. */
  service_tier?: string | null;
  /** Per-choice deltas; empty in a usage-only last chunk. */
  choices: ChatCompletionChunkChoice[];
  /** Token usage; in the last chunk only, and only with `stream_options.include_usage`. */
  usage?: CompletionUsage | null;
  /** Fields this SDK does not know, passed through untyped. */
  [key: string]: unknown;
}

/** A complete tool call. */
export interface ToolCall {
  /** Call id, echoed as `tool_call_id` by the tool's answer. */
  id: string;
  /** Call type (`function`). */
  type: string;
  /** The function name and its complete arguments as a JSON string (not validated). */
  function: { name: string; arguments: string };
}

/** The assistant message of a whole completion. */
export interface ChatCompletionMessage {
  /** Author role (`assistant` when no chunk named one). */
  role: string;
  /** The whole reply text; `null` when no content arrived (like a tool-call-only reply). */
  content: string | null;
  /** The whole refusal text, when the model refused. */
  refusal?: string | null;
  /** The complete tool calls, in `index` order. */
  tool_calls?: ToolCall[];
  /** The legacy `functions` API's call. */
  function_call?: { name: string; arguments: string };
}

/** One choice of a whole completion. */
export interface ChatCompletionChoice {
  /** Which choice this is (0-based). */
  index: number;
  /** The assembled assistant message. */
  message: ChatCompletionMessage;
  /** All token log probabilities of the choice, concatenated; `null` when none were sent. */
  logprobs: { content: unknown[] | null; refusal?: unknown[] | null } | null;
  /** Why generation stopped (the last one reported); `null` when the stream never said. */
  finish_reason: string | null;
}

/** A whole (non-streamed) chat completion. */
export interface ChatCompletion {
  /** Completion id (from the first chunk that had one). */
  id: string;
  /** Always `chat.completion`. */
  object: 'chat.completion';
  /** Creation time in Unix seconds (first chunk that had one; 0 when none did). */
  created: number;
  /** Model name (first chunk that had one; empty when none did). */
  model: string;
  /** The assembled choices, in `index` order. */
  choices: ChatCompletionChoice[];
  /** Token usage, when the stream reported it. */
  usage?: CompletionUsage;
  /** The last fingerprint the stream sent, if any. */
  system_fingerprint?: string | null;
  /** The last service tier the stream sent, if any. */
  service_tier?: string | null;
}
