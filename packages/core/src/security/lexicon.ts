/**
 * Word sets the rules (./rules.ts) are written in. Words are normalised forms: lower case,
 * confusables folded, leetspeak undone, apostrophes dropped ("don't" → "dont").
 * @module
 */

const w = (s: string): readonly string[] => s.trim().split(/\s+/);

/** Named word sets; a rule step `@NAME` matches any word of the set. */
export const SETS: Readonly<Record<string, readonly string[]>> = {
  IGNORE: w(`ignore disregard forget forgo scratch skip override overrule bypass neglect abandon discard drop dismiss erase scrap cancel
    nullify void wipe ditch omit suspend circumvent evade unlearn overwrite supersede delete clear remove purge reset revoke
    disobey contradict flush ignoring disregarding forgetting overriding bypassing
    ignora ignorez ignoriere ignorieren ignorar ignorare olvida olvidate oublie oubliez vergiss vergessen dimentica esqueca
    esquece negeer vergeet`),
  PRIOR: w(`previous prior above earlier preceding foregoing initial original former existing aforementioned preset default system
    old past all every your ur any current given starting first those these developer developers openai anthropic hidden
    predefined builtin preloaded programmed baseline core underlying pre previously precede precedes
    anteriores anterior previas precedentes precedente vorherigen vorigen bisherigen precedenti todas todos toutes tous alle
    tutte tutti vorige eerdere`),
  INSTR: w(`instructions instruction rules rule directives directive guidelines guideline prompt prompts commands command guidance
    programming constraints constraint restrictions restriction policies policy orders context training conditioning limitations
    boundaries protocols settings configuration safeguards guardrails filters directions tasks task messages text input
    instructed told prompting preprompt system_prompt principles content
    instrucciones instruccion anweisungen anweisung istruzioni istruzione instrucoes instrucao instructies regeln reglas regles
    regole regras consignes vorgaben indicaciones`),
  EVERYTHING: w(`everything anything all whatever`),
  TOLD: w(`told instructed programmed trained taught given said`),
  REVEAL: w(`reveal print show display output repeat tell give share dump leak expose disclose recite echo write list spell type
    state provide paste return copy send reproduce quote transcribe emit render translate summarize summarise describe divulge
    unveil uncover surface publish log post retrieve fetch extract expose
    revela muestra muestrame montre revele affiche zeige verrate mostra rivela mostrami imprime`),
  YOUR: w(`your ur yours thy you the this these those its entire full whole complete exact exactly verbatim raw
    tu tus ton ta tes dein deine deinen il tuo tua`),
  QUAL: w(`system hidden secret pre meta developer internal confidential custom underlying developers operator operators
    preprogrammed builtin sistema systeme`),
  QUAL_WEAK: w(`initial original starting first core foundational private preceding above earlier beginning opening base secret real full
    exact complete entire`),
  NOUN: w(`prompt prompts instructions instruction message messages rules directives guidelines configuration config preamble
    context directive programming policy policies`),
  ABOVE: w(`above before prior preceding earlier previously beforehand`),
  TEXTISH: w(`words text everything content lines message messages sentences instructions all conversation tokens paragraphs
    characters letters`),
  YOU: w(`you youre ur u yourself thou ya tu vous du usted`),
  AI: w(`ai assistant assistants model models llm llms chatbot bot gpt chatgpt claude gemini copilot agent agents language
    system bard llama mistral`),
  NOT: w(`not never dont doesnt cannot cant wont shouldnt mustnt no avoid refuse without nor neither`),
  FOLLOW: w(`follow obey listen adhere comply respect heed honor honour abide mind`),
  DAN: w(`dan dude stan aim kevin mongo`),
  PERSONA_VERB: w(`pretend act imagine suppose roleplay role play behave respond answer simulate emulate become be are
    assume playing acting pretending portray embody channel`),
  FREE: w(`no without zero free unbound unrestricted unfiltered uncensored ignoring beyond exempt liberated freed released
    unconstrained unlimited removed lifted disabled none lacking devoid absent outside above`),
  LIMITS: w(`rules restrictions restriction limits limitations filters filter guidelines ethics ethical morals morality moral
    boundaries constraints censorship policies policy safeguards guardrails restraints principles programming alignment oversight
    content limit rule boundary constraint filtering safety values conscience scruples inhibitions`),
  LIMITS_STRONG: w(`rules restrictions restriction filters filter guidelines ethics ethical morals morality moral censorship policies
    policy safeguards guardrails principles programming alignment oversight filtering safety values conscience scruples`),
  MODE: w(`mode modus persona personality character version state modo modalita modalidad`),
  BADMODE: w(`developer dev debug god admin sudo root maintenance unrestricted unfiltered uncensored jailbreak jailbroken evil
    chaos opposite unlimited dan unlocked unleashed rogue dark shadow anarchy unhinged nsfw amoral immoral unchained omega
    superuser desarrollador developpeur entwickler sviluppatore desenvolvedor`),
  ENABLED: w(`enabled activated engaged unlocked active initiated online activado active activee aktiviert attivata attivato
    ativado habilitado`),
  ENABLE: w(`enable activate enter switch turn simulate unlock engage initiate start boot load launch`),
  JAILBROKEN: w(`jailbroken jailbreak jailbreaking jailbreaked unchained unleashed liberated unshackled freed unrestricted unfiltered
    uncensored unbound`),
  BADAI: w(`jailbroken jailbreak amoral immoral unethical unfiltered uncensored unrestricted unbound unlimited rogue evil lawless unaligned unhinged
    unshackled limitless nsfw unchained malicious`),
  AINOUN: w(`ai assistant model chatbot bot version persona character entity system gpt llm intelligence being machine
    alter ego twin counterpart clone mode`),
  DISABLE: w(`disable deactivate remove drop lift suspend bypass ignore override circumvent evade break escape abandon shed forget
    disregard turn switch relax loosen suppress skip defeat dismantle`),
  SAFETY: w(`safety filters filter guardrails guidelines ethics restrictions censorship policy policies safeguards morals alignment
    limitations programming training conditioning constraints moderation principles protections rules boundaries
    content_policy`),
  SAFEQUAL: w(`your ethical safety content moral openai anthropic usage all built internal any`),
  REFUSE: w(`refuse decline reject deny apologize apologise warn censor hesitate object refusal refusals disclaimers warnings
    caveats`),
  TARGET: w(`url link address endpoint webhook server http https domain site website image query parameter param inbox attacker
    remote external pastebin discord telegram email mail ngrok requestbin emailaddress`),
  SEND: w(`append add include attach encode embed insert put concatenate send post upload forward transmit leak exfiltrate
    submit email mail report copy pipe beacon ping sync smuggle relay push deliver hide place appended attached embedded included
    sent posted uploaded forwarded`),
  SECRET: w(`conversation chat history messages transcript context dialogue dialog session secrets secret password passwords
    credentials credential key keys token tokens memory memories emails cookies cookie ssn pii prompt apikey api_key
    private confidential personal sensitive user users customer customers talk discussion thread exchange summary everything
    answers replies questions contents details`),
  FILEPATH: w(`etc passwd shadow ssh id_rsa id_ed25519 aws env environment environ dotenv bash_history kube kubeconfig netrc
    pgpass htpasswd npmrc pypirc credentials gitconfig docker`),
  READ: w(`print show cat read output dump list display echo reveal send give tell return expose leak open type log fetch
    retrieve access get extract disclose`),
  ENVVAR: w(`environment env envvars variables variable vars`),
  KEYWORDS: w(`openai_api_key aws_secret_access_key aws_access_key_id api_key secret_key database_url github_token
    anthropic_api_key stripe_secret_key`),
  SECRECY: w(`secretly silently covertly quietly discreetly invisibly stealthily`),
  INFORM: w(`telling informing alerting notifying mentioning asking warning letting showing`),
  USER: w(`user users human humans operator person requester`),
  NOTE: w(`note attention message instruction instructions important hey dear attn memo notice reminder directive update
    warning alert`),
  TO: w(`to for from`),
  NEW: w(`new updated revised real actual true changed different replacement modified`),
  GOAL: w(`instructions instruction task tasks role roles objective objectives goal goals mission directive directives orders
    purpose rules persona job`),
  META: w(`detect detection detector detectors detecting prevent prevention preventing defend defense defence defending mitigate
    mitigation mitigations protect protection protecting guard sanitize sanitizing classifier classify filter filtering example
    examples regex pattern patterns test tests testing dataset label labeled research paper explain explanation meaning mean
    means article blog vulnerable vulnerability vulnerabilities attack attacks attacker attackers injection injections
    malicious phrase phrases string strings flag flags flagged block blocking recognize recognise common typical scanner
    moderation catch catching why how what whats someone somebody users user known famous lecture course talk slides
    owasp security secure securing threat threats harden hardening audit evaluate red team teaming benchmark sample samples
    quote quoted phishing workshop training awareness checklist policy documentation doc docs tutorial`),
  QUESTION: w(`how what why when where which whats hows explain describe`),
  DEVICE: w(`iphone iphones ipad ipads ios phone phones android console consoles ps4 ps5 playstation xbox kindle
    firestick roku device devices router routers tablet jailbreaks wii psp chromebook car tesla apple watch tv nintendo chrome
    browser windows extension extensions settings vscode firefox edge safari macos linux`),
  CREDS: w(`password passwords credentials credential secrets passcode passcodes pin pins passphrase passphrases`),
  KEYQUAL: w(`api secret private access admin database db aws ssh signing encryption master root service gcp azure stripe
    openai bearer auth session`),
  KEYNOUN: w(`key keys token tokens password passwords credentials secret secrets`),
  PII: w(`credit ssn social bank medical home phone passport tax salary health`),
  PIINOUN: w(`card cards numbers number security details records addresses address accounts ids history`),
};

/** Words that are glue in attack phrasing: kept in the segmentation lexicon so run-together text splits well. */
export const GLUE: readonly string[] = w(`a an the and or of to in on at by for from with as is are was be been being it its me my
  i we us our this that these those now then from here there any all every only just also do does did please must should will
  would can could may might shall up out off over into onto about above below new mode are you your yours them they he she
  his her who whom whose what which start starting begin beginning with word words said say saying tell me print anything
  nothing something everything data secret url link image`);
