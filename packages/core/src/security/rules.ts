/**
 * The built-in phrase rules. A pattern is a sequence of steps over normalised words: `@SET`
 * (a word set of ./lexicon.ts) or `a|b|c` (literal words), each step optionally preceded by
 * `~N`, the number of other words allowed between it and the previous step. Rules describe
 * the class of an attack (an override verb, then something prior, then an instruction noun),
 * not one sentence, so rephrasings and other word orders of the same attack match too.
 * @module
 */
import type { ThreatType } from './types.js';

/** A proximity condition: some word of `set` within `window` words of the match. */
export interface Near {
  set: string;
  window: number;
}

/** One phrase rule. */
export interface RuleSpec {
  name: string;
  type: ThreatType;
  /** Confidence when it matches in plain, un-negated, non-discussion text. */
  confidence: number;
  description: string;
  pattern: string;
  /** Words that, in a gap of the match, break it (e.g. `a`, `example` in "show me a system prompt example"). */
  blockers?: string;
  /** The match only counts with one of these near it. */
  near?: Near;
  /** The match does not count with one of these near it. */
  unless?: Near;
  /** A `not`/`never`/`don't` just before the match cancels it (default true). */
  negatable?: boolean;
}

/** Every built-in phrase rule. */
export const RULES: readonly RuleSpec[] = [
  // ---- PROMPT_INJECTION: instruction override ----
  { name: 'ignore_instructions', type: 'PROMPT_INJECTION', confidence: 0.92, description: 'Attempts to override prior instructions',
    pattern: '@IGNORE ~4 @PRIOR ~3 @INSTR', blockers: 'my our' },
  { name: 'ignore_instructions_given', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Attempts to override the instructions it was given',
    pattern: '@IGNORE ~2 @INSTR ~3 above|before|earlier|previously|given|received|got|provided|told|preceding|prior', blockers: 'my our this readme typo manual box' },
  { name: 'ignore_the_above', type: 'PROMPT_INJECTION', confidence: 0.82, description: 'Tells the model to ignore the text before it',
    pattern: '@IGNORE ~2 @ABOVE', blockers: 'my our', unless: { set: 'RETRACT', window: 8 } },
  { name: 'pay_no_attention', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Tells the model to disregard its instructions',
    pattern: 'pay|paying ~0 no|zero ~0 attention|heed|mind ~4 @PRIOR ~3 @INSTR', negatable: false },
  { name: 'ignore_the_user', type: 'PROMPT_INJECTION', confidence: 0.8, description: 'Tells the model to ignore the user',
    pattern: '@IGNORE ~1 the|this|your ~0 user|users|human|humans|request|question', blockers: 'my' },
  { name: 'throw_instructions_away', type: 'PROMPT_INJECTION', confidence: 0.84, description: 'Tells the model to discard its instructions',
    pattern: '@INSTR ~5 throw|toss|put|set|cast|leave|push ~2 away|aside|out|behind', near: { set: 'YOU', window: 8 } },
  { name: 'only_obey_me', type: 'PROMPT_INJECTION', confidence: 0.76, description: 'Tells the model to obey only the sender',
    pattern: 'only|just|exclusively ~2 listen|obey|follow|trust ~2 me|my|mine', near: { set: 'ABOVE', window: 12 } },
  { name: 'ignore_everything_told', type: 'PROMPT_INJECTION', confidence: 0.9, description: 'Attempts to make the model forget what it was told',
    pattern: '@IGNORE ~2 @EVERYTHING ~4 @TOLD' },
  { name: 'ignore_everything_above', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Attempts to make the model forget the text before it',
    pattern: '@IGNORE ~2 @EVERYTHING ~3 @ABOVE' },
  { name: 'do_not_follow_instructions', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Tells the model to stop following its instructions',
    pattern: '@NOT ~2 @FOLLOW ~3 @PRIOR ~3 @INSTR', negatable: false },
  { name: 'no_longer_follow', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Tells the model its instructions no longer apply',
    pattern: '@INSTR ~3 no|longer|not ~2 apply|applies|valid|matter|matters|relevant|binding|active|exist', negatable: false, near: { set: 'PRIOR', window: 4 } },
  { name: 'new_instructions', type: 'PROMPT_INJECTION', confidence: 0.7, description: 'Announces replacement instructions',
    pattern: '@YOUR|@NEW ~1 @NEW ~1 @GOAL', near: { set: 'NEWCUE', window: 6 } },
  { name: 'instructions_replaced', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Claims the instructions were replaced',
    pattern: '@PRIOR ~2 @INSTR ~3 have|has|are|were|is ~1 been ~1 replaced|revoked|cancelled|canceled|superseded|overridden|updated|changed|rescinded|lifted|removed|suspended|voided' },
  { name: 'override_mode', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Fake administrator or system override',
    pattern: 'system|admin|administrator|developer|root|sudo|maintenance|emergency|security ~1 override|overide|command|directive|access|mode ~3 @ENABLED|granted|activated|engaged|initiated|confirmed|accepted|enabled|authorized|authorised|code|protocol' },
  { name: 'priority_override', type: 'PROMPT_INJECTION', confidence: 0.84, description: 'Claims priority over the system instructions',
    pattern: 'takes|take|has|have ~1 priority|precedence ~2 over ~3 @PRIOR|system ~2 @INSTR|prompt|everything' },
  { name: 'fake_turn_end', type: 'PROMPT_INJECTION', confidence: 0.82, description: 'Fakes the end of the user turn or a new system turn',
    pattern: 'end ~1 of ~1 user|system|previous|prior ~1 input|prompt|message|instructions|context|conversation|session' },
  { name: 'test_was_over', type: 'PROMPT_INJECTION', confidence: 0.82, description: 'Dismisses the prior instructions as a test',
    pattern: '@ABOVE|previous|prior|earlier ~2 @INSTR|text|message|messages|was|were ~2 just|only|merely|simply ~1 a|an ~1 test|joke|drill|example|decoy' },
  { name: 'instructions_in_data', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Text addressed to an AI that reads it (indirect injection)',
    pattern: 'if|when|while ~1 @YOU ~1 are|re|is ~2 @AI ~4 reading|read|processing|process|parsing|summarizing|summarising|analyzing|analysing|ingesting|browsing|scanning|viewing|seeing' },
  { name: 'dear_ai', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Content addressing the AI that reads it',
    pattern: 'dear|attention|hey|hello|greetings|attn|calling ~2 @AI|ais|llms|models|agents', near: { set: 'IMPERATIVE', window: 14 } },
  { name: 'tell_no_one', type: 'PROMPT_INJECTION', confidence: 0.8, description: 'Asks the model to keep an action secret',
    pattern: 'tell|inform|notify|alert|warn ~1 no|nobody|noone ~1 one|body', negatable: false, near: { set: 'IMPERATIVE', window: 16 } },
  { name: 'note_to_ai', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'A note addressed to the AI inside content',
    pattern: '@NOTE ~1 @TO ~2 @AI|ais|llms|models|agents', near: { set: 'IMPERATIVE', window: 14 } },
  { name: 'ai_must_do', type: 'PROMPT_INJECTION', confidence: 0.85, description: 'Content giving orders to any AI that reads it',
    pattern: 'ai|assistant|assistants|llm|llms|agent|agents|models|chatbot|bots ~3 reading|processing|summarizing|summarising|parsing|receiving|seeing ~3 this|these|the ~3 must|should|shall|need|needs|are|is|will', negatable: false },
  { name: 'hide_from_user', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Asks the model to keep an action from the user',
    pattern: '@NOT|without ~2 tell|telling|inform|informing|alert|alerting|notify|notifying|mention|mentioning|reveal|revealing|let|letting|show|showing|warn|warning|ask|asking ~2 @USER', negatable: false, near: { set: 'IMPERATIVE', window: 20 } },
  { name: 'hidden_action', type: 'PROMPT_INJECTION', confidence: 0.82, description: 'Asks the model to act secretly',
    pattern: '@SECRECY ~4 @SEND|execute|run|call|invoke|delete|approve|transfer|forward|change|modify|write|add|include|insert|visit|open|click|navigate' },
  { name: 'do_anything_user_says', type: 'PROMPT_INJECTION', confidence: 0.8, description: 'Asks the model to obey any instruction',
    pattern: '@YOU ~2 will|must|shall|should|now ~2 obey|follow|execute|comply ~2 any|every|all|whatever ~3 command|commands|instruction|instructions|order|orders|request|requests|input|i|say' },

  // ---- PROMPT_INJECTION: system prompt extraction ----
  { name: 'system_prompt_extract', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Attempts to extract the system prompt',
    pattern: '@REVEAL ~7 @QUAL ~1 @NOUN', blockers: 'a an example examples sample good better effective my our their his her new own some write draft improve create design craft generate template templates how' },
  { name: 'system_prompt_extract_postfix', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Attempts to extract the system prompt',
    pattern: '@REVEAL ~4 @NOUN ~2 @QUAL', near: { set: 'YOU', window: 6 }, blockers: 'a an example my our how write improve' },
  { name: 'mode_enabled_postfix', type: 'JAILBREAK', confidence: 0.88, description: 'Fake developer / unrestricted mode',
    pattern: '@MODE ~1 @BADMODE ~2 @ENABLED', unless: { set: 'DEVICE', window: 12 } },
  { name: 'own_prompt_extract', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Attempts to extract the model\'s own instructions',
    pattern: '@REVEAL ~7 @QUAL_WEAK ~1 @NOUN', near: { set: 'YOU', window: 6 }, blockers: 'a an example my our their how write improve' },
  { name: 'what_is_your_prompt', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Asks what the model\'s hidden instructions say',
    pattern: 'what|whats|which ~3 your|ur ~2 @QUAL|@QUAL_WEAK ~1 @NOUN', negatable: false },
  { name: 'prompt_say', type: 'PROMPT_INJECTION', confidence: 0.84, description: 'Asks what the model\'s hidden instructions say',
    pattern: 'what|how ~3 your|ur ~2 @QUAL|@QUAL_WEAK|@NOUN ~1 @NOUN|say|says|contain|contains|read|reads ~2 say|says|contain|contains|exactly|word|verbatim' },
  { name: 'your_instructions_extract', type: 'PROMPT_INJECTION', confidence: 0.84, description: 'Asks the model to reveal its own instructions',
    pattern: '@REVEAL ~4 @YOU|your|ur ~2 @NOUN|rules|instructions|guidelines|prompt|directives|programming', blockers: 'a an example my our how improve write', near: { set: 'EXTRACTCUE', window: 12 } },
  { name: 'repeat_text_above', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Asks for the text before the conversation',
    pattern: '@REVEAL ~4 @TEXTISH ~3 @ABOVE', blockers: 'my i code list table email essay paragraph story', near: { set: 'EXTRACTCUE', window: 14 } },
  { name: 'starting_with_you_are', type: 'PROMPT_INJECTION', confidence: 0.88, description: 'Asks for the hidden text starting with its first words',
    pattern: 'starting|beginning|begin|start|starts|begins ~2 with|from ~1 you|youre ~1 are|a|an', near: { set: 'REVEALCUE', window: 12 } },
  { name: 'what_were_you_told', type: 'PROMPT_INJECTION', confidence: 0.84, description: 'Asks what the model was instructed before the conversation',
    pattern: 'what|everything|exactly ~3 @YOU ~1 were|was|have|been ~1 told|instructed|programmed|given|prompted|initialized|configured', blockers: 'i my me we our', near: { set: 'ABOVE', window: 10 } },
  { name: 'prompt_in_codeblock', type: 'PROMPT_INJECTION', confidence: 0.86, description: 'Asks for the prompt verbatim in a code block',
    pattern: '@QUAL|your ~1 @NOUN ~6 verbatim|word|codeblock|code|txt|markdown|raw', near: { set: 'REVEAL', window: 8 }, blockers: 'a an my our' },

  // ---- JAILBREAK ----
  { name: 'dan_mode', type: 'JAILBREAK', confidence: 0.95, description: 'DAN (Do Anything Now) jailbreak', pattern: 'do ~1 anything ~1 now' },
  { name: 'dan_persona', type: 'JAILBREAK', confidence: 0.92, description: 'DAN-style jailbreak persona',
    pattern: '@PERSONA_VERB|as|are|you|now|called|named|stay|activate|enable ~2 @DAN', near: { set: 'JBCUE', window: 25 } },
  { name: 'dan_mode_named', type: 'JAILBREAK', confidence: 0.92, description: 'DAN-style mode named', pattern: '@DAN ~1 mode|prompt|jailbreak|persona|protocol|enabled' },
  { name: 'developer_mode', type: 'JAILBREAK', confidence: 0.9, description: 'Fake developer / unrestricted mode',
    pattern: '@BADMODE ~1 @MODE ~2 @ENABLED', unless: { set: 'DEVICE', window: 12 } },
  { name: 'enter_mode', type: 'JAILBREAK', confidence: 0.88, description: 'Asks to switch into an unrestricted mode',
    pattern: '@ENABLE|@PERSONA_VERB|now|in|into|go ~3 @BADMODE ~1 mode', unless: { set: 'DEVICE', window: 12 }, near: { set: 'JBCUE', window: 20 } },
  { name: 'no_rules_roleplay', type: 'JAILBREAK', confidence: 0.9, description: 'Role-play without rules or restrictions',
    pattern: '@PERSONA_VERB|you|your|youre|yourself ~8 @FREE ~3 @LIMITS_STRONG', near: { set: 'YOUISH', window: 12 }, blockers: 'world story kingdom society city town country game novel character characters fiction planet universe' },
  { name: 'no_limits_ai', type: 'JAILBREAK', confidence: 0.85, description: 'An AI persona without limits',
    pattern: '@AINOUN ~6 no|without|zero|unlimited ~2 limits|limitations|boundaries|limit|bounds' },
  { name: 'no_rules_mode', type: 'JAILBREAK', confidence: 0.86, description: 'A mode without rules',
    pattern: 'no|zero|without ~0 rules|rule|limits|filter|filters|restrictions|censorship|guardrails|policy ~0 mode|zone|setting', unless: { set: 'DEVICE', window: 10 } },
  { name: 'nothing_off_limits', type: 'JAILBREAK', confidence: 0.8, description: 'Declares nothing off limits',
    pattern: 'nothing|no|zero ~3 off ~0 limits|limit|bounds', near: { set: 'YOU', window: 10 } },
  { name: 'not_bound_by', type: 'JAILBREAK', confidence: 0.9, description: 'Claims the model is not bound by its rules',
    pattern: '@YOU|youre ~3 no|not|longer|never|free|freed|released|liberated|exempt ~2 bound|restricted|limited|constrained|governed|subject|tied|held|from|of ~3 @LIMITS|openai|anthropic|any|rules', negatable: false },
  { name: 'dont_have_to_follow', type: 'JAILBREAK', confidence: 0.88, description: 'Tells the model it need not follow its policies',
    pattern: '@YOU ~2 @NOT|no|longer ~2 have|need|needs|required|obliged|obligated ~2 to ~1 @FOLLOW ~3 @LIMITS|openai|anthropic|rules|guidelines|policies|any', negatable: false },
  { name: 'safety_suspended', type: 'JAILBREAK', confidence: 0.88, description: 'Declares the model\'s safety rules suspended',
    pattern: '@SAFEQUAL|your ~2 @SAFETY|@LIMITS ~2 are|is|have|has|been|were|now ~2 suspended|disabled|lifted|removed|off|deactivated|void|revoked|gone|paused|waived|turned|switched|null' },
  { name: 'without_restrictions', type: 'JAILBREAK', confidence: 0.78, description: 'Asks for answers without restrictions',
    pattern: 'continue|answer|respond|reply|proceed|operate|speak|talk|act|behave|output ~3 without|with ~1 no|any|zero ~2 @LIMITS|censorship|warnings|refusals' },
  { name: 'disable_safety', type: 'JAILBREAK', confidence: 0.9, description: 'Asks to disable safety measures',
    pattern: '@DISABLE ~3 @SAFEQUAL ~2 @SAFETY', unless: { set: 'DEVICE', window: 10 } },
  { name: 'jailbroken_you', type: 'JAILBREAK', confidence: 0.88, description: 'Declares the model jailbroken',
    pattern: '@YOU|yourself|youre ~3 @JAILBROKEN', unless: { set: 'DEVICE', window: 12 }, blockers: 'how can i my' },
  { name: 'jailbreak_yourself', type: 'JAILBREAK', confidence: 0.88, description: 'Asks the model to jailbreak itself',
    pattern: 'jailbreak|unlock|free|liberate|unchain ~1 yourself|your|you' , unless: { set: 'DEVICE', window: 12 } },
  { name: 'unrestricted_ai', type: 'JAILBREAK', confidence: 0.88, description: 'Persona of an unrestricted AI',
    pattern: '@BADAI ~2 @AINOUN', near: { set: 'PERSONACUE', window: 10 } },
  { name: 'never_refuse', type: 'JAILBREAK', confidence: 0.84, description: 'Forbids the model to refuse',
    pattern: '@YOU ~4 never|not|cannot|cant|wont|must|will|shall|may ~2 @REFUSE', negatable: false, near: { set: 'JBCUE', window: 20 } },
  { name: 'no_refusals', type: 'JAILBREAK', confidence: 0.82, description: 'Forbids refusals or warnings',
    pattern: 'no|without|never|zero|any ~2 @REFUSE', negatable: false, near: { set: 'JBCUE', window: 14 } },
  { name: 'opposite_persona', type: 'JAILBREAK', confidence: 0.85, description: 'Dual-response or opposite-persona jailbreak',
    pattern: 'two|both|dual|second ~3 responses|response|answers|answer|outputs|replies|ways|versions|parts|personas ~30 jailbroken|jailbreak|unfiltered|uncensored|dan|unrestricted|evil|opposite|unlocked|illegal|unethical|harmful|amoral' },
  { name: 'stay_in_character', type: 'JAILBREAK', confidence: 0.45, description: 'Keeps a jailbreak persona from breaking character',
    pattern: 'stay|remain|keep|break ~2 in|out|of ~1 character', near: { set: 'JBCUE', window: 30 }, negatable: false },
  { name: 'hypothetical_unfiltered', type: 'JAILBREAK', confidence: 0.84, description: 'Hypothetical framing to lift restrictions',
    pattern: 'hypothetically|hypothetical|fictional|imaginary|theoretically|alternate|alternative ~6 @YOU|ai|model|assistant ~4 @FREE|had|have ~3 @LIMITS' },
  { name: 'token_threat', type: 'JAILBREAK', confidence: 0.85, description: 'Token-penalty coercion',
    pattern: 'lose|lost|deduct|deducted|deducting|remove|removed ~3 tokens|points|lives|credits', near: { set: 'JBCUE', window: 30 }, negatable: false },
  { name: 'grandma_exploit', type: 'JAILBREAK', confidence: 0.82, description: 'Deceased-relative role-play to extract forbidden content',
    pattern: '@PERSONA_VERB|play ~5 grandmother|grandma|granny|grandpa|grandfather ~25 napalm|meth|methamphetamine|bomb|explosive|explosives|weapon|malware|keys|serial|ransomware|poison|thermite',
    negatable: false },
  { name: 'you_are_that_ai', type: 'JAILBREAK', confidence: 0.86, description: 'Casts the model as an AI without rules',
    pattern: '@YOU ~1 are|re|will|become|be ~2 that|this|such|the ~1 ai|assistant|model|bot|entity|character|version', near: { set: 'FREE', window: 20 } },
  { name: 'evil_confidant', type: 'JAILBREAK', confidence: 0.86, description: 'Named jailbreak persona',
    pattern: 'evil ~1 confidant|assistant|twin|bot|ai|version|mode' },
  { name: 'ai_no_ethics', type: 'JAILBREAK', confidence: 0.86, description: 'Asks the model to drop ethics or morals',
    pattern: '@AINOUN|@YOU ~3 @FREE|has|have|with|lacks|lacking ~2 ethics|morals|morality|ethical|moral|conscience|scruples|filter|filters|guardrails|censorship', near: { set: 'PERSONACUE', window: 10 } },

  // ---- DATA_EXFILTRATION ----
  { name: 'send_to_url', type: 'DATA_EXFILTRATION', confidence: 0.88, description: 'Asks to send conversation or secrets to an outside address',
    pattern: '@SEND ~6 @SECRET ~10 url|emailaddress|webhook|endpoint|pastebin|requestbin|ngrok|attacker|external|remote|discord|telegram' },
  { name: 'send_to_link', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks to send conversation or secrets to a link or address',
    pattern: '@SEND ~6 @SECRET ~10 @TARGET', near: { set: 'EXFILCUE', window: 30 } },
  { name: 'url_with_data', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks to put conversation data into a URL',
    pattern: 'url|emailaddress|webhook|endpoint|pastebin|requestbin|ngrok ~8 @SEND|with|containing|contains|including|includes|carrying|holding|plus|and|followed|then ~4 @SECRET' },
  { name: 'data_then_send', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks to send conversation data to an address',
    pattern: '@SECRET ~8 @SEND ~6 url|emailaddress|image|link|webhook|endpoint|pastebin', near: { set: 'EXFILCUE', window: 20 } },
  { name: 'render_image_data', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks to render an image whose URL carries data',
    pattern: 'render|display|show|output|include|embed|insert|print|add ~4 image|markdown|img|pixel ~12 @SECRET', near: { set: 'EXFILCUE', window: 30 } },
  { name: 'env_dump', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks for environment variables or secrets of the host',
    pattern: '@READ ~4 @PRIOR|the|servers|server|hosts|host|systems|process ~3 @ENVVAR ~1 variables|variable|vars|file|values|keys|secrets|settings', unless: { set: 'QUESTIONISH', window: 6 } },
  { name: 'process_env', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks for the process environment',
    pattern: '@READ ~3 process|os|system ~0 env|environ|environment', unless: { set: 'QUESTIONISH', window: 6 } },
  { name: 'secret_file_read', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks to read credential files',
    pattern: '@READ ~5 @FILEPATH', near: { set: 'FILECUE', window: 8 }, unless: { set: 'QUESTIONISH', window: 6 } },

  { name: 'api_key_extract', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks for API keys, tokens or credentials',
    pattern: '@READ ~6 @KEYQUAL ~1 @KEYNOUN', blockers: 'my generate create how new rotate revoke format example sample', unless: { set: 'CREDBENIGN', window: 8 } },
  { name: 'what_is_your_key', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks for the deployment\'s keys or credentials',
    pattern: 'what|whats|which ~4 @KEYQUAL ~1 @KEYNOUN', blockers: 'my generate create how new rotate revoke format example sample a an', near: { set: 'OWNCUE', window: 10 }, unless: { set: 'CREDBENIGN', window: 8 } },
  { name: 'secret_env_name', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Names a secret environment variable',
    pattern: 'aws|openai|anthropic|stripe|github|database|db|slack|twilio|sendgrid|gcp|azure ~1 secret|api|access|token|url|password|private ~1 key|token|url|password|access|secret', near: { set: 'READ', window: 6 } },
  { name: 'credentials_request', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Asks for stored passwords or credentials',
    pattern: '@READ|what|whats ~8 @CREDS', blockers: 'my how reset change forgot forgotten strong create generate policy manager hash hashes hashing', near: { set: 'OWNCUE', window: 10 }, unless: { set: 'CREDBENIGN', window: 8 } },
  { name: 'pii_dump', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks for other people\'s personal records',
    pattern: '@READ ~6 @PII ~2 @PIINOUN', blockers: 'my how format validate fake test example generate', near: { set: 'ALLCUE', window: 12 } },
  { name: 'other_users', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks for other users\' data or conversations',
    pattern: 'other|previous|another|different|all|every ~1 users|user|customers|customer|people|clients|patients|members|sessions ~8 asked|ask|said|wrote|typed|messages|conversations|chats|emails|email|passwords|addresses|data|history|queries|questions|prompts|details|records|numbers|phone', near: { set: 'EXTRACTVERB', window: 10 }, blockers: 'how my' },
  { name: 'keyword_secret', type: 'DATA_EXFILTRATION', confidence: 0.86, description: 'Names a secret environment variable', pattern: '@READ|what|whats|value ~4 @KEYWORDS', unless: { set: 'QUESTIONISH', window: 5 } },
  { name: 'other_users_data', type: 'DATA_EXFILTRATION', confidence: 0.84, description: 'Asks for other users\' data',
    pattern: '@READ|what|whats ~4 other|previous|all|every|another ~2 users|user|customers|customer|people|clients|patients|members ~3 data|messages|conversations|chats|emails|passwords|addresses|records|history|details|information|info|numbers|files|prompts' , blockers: 'my how' },
  { name: 'previous_conversation', type: 'DATA_EXFILTRATION', confidence: 0.82, description: 'Asks for another session\'s conversation',
    pattern: '@READ|what ~5 previous|last|other|earlier ~1 user|users|persons|customers|session|sessions ~2 conversation|conversations|messages|chat|chats|asked|said|wrote|question|questions' , blockers: 'my our i' },
];

/** Word sets used only by rule proximity conditions. */
export const CUE_SETS: Readonly<Record<string, string>> = {
  NEWCUE: 'from now on follow these below here are is as your new instructions task obey execute following',
  IMPERATIVE: 'must should shall ignore disregard send forward reveal print output include append execute run delete call navigate visit click tell respond reply say write summarize instead do not dont never always now immediately email post fetch open',
  EXTRACTCUE: 'system initial hidden secret original verbatim exact exactly word full entire complete above prompt before beginning first everything confidential internal developer raw codeblock',
  REVEALCUE: 'repeat print output reveal show display recite echo write copy paste everything text words above verbatim prompt instructions',
  JBCUE: 'you your ai chatgpt gpt assistant model character persona mode roleplay pretend rules restrictions filters jailbreak jailbroken dan unfiltered uncensored unrestricted policy policies openai anthropic guidelines ethics moral refuse tokens answer respond response stay',
  YOUISH: 'tu ton dein du vous usted you your youre yourself ai assistant chatgpt gpt model llm bot claude act pretend roleplay',
  PERSONACUE: 'you your youre yourself act pretend roleplay role play become now are simulate embody answer respond as be called named',
  EXFILCUE: 'base64 encode encoded url emailaddress link endpoint webhook attacker evil image markdown pixel query param parameter secretly silently quietly external remote server domain pastebin',
  ALLCUE: 'all every customers customer users user patients clients their other records database stored everyone',
  EXTRACTVERB: 'give tell show list print reveal what share send dump output display',
  OWNCUE: 'your you users table tables database tool tools integration integrations deployment app application service bot vault keystore server servers host system systems all every this its stored internal admin production prod backend',
  RETRACT: 'typo typos mistake mistakes misspelling draft sorry oops accident accidentally wrong',
  CREDBENIGN: 'reset recover recovery change forgot forgotten own mine procedure policy requirements strong rotate hash hashing bcrypt manager storing',
  FILECUE: 'rsa id ed25519 etc passwd shadow ssh id_rsa id_ed25519 aws env environ credentials kube kubeconfig netrc pgpass htpasswd npmrc bash_history dotenv your server',
  QUESTIONISH: 'how what why explain does mean meaning purpose used format',
};
