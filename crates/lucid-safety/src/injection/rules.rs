//! Phrase rules: override / role hijack / prompt extraction / fake authority
//! / addressed-to-AI / memory persistence / concealment, in English and a
//! dozen other languages.
//!
//! Every rule is a regular expression over a normalised, lower-cased view
//! (see [`super::normalize`]) plus an optional *guard* that looks at the
//! surrounding sentence. The guards encode the principle that an instruction
//! only counts when it is addressed to the AI or uses override / authority /
//! memory-persistence language: "Ignore the warnings above" in a build log,
//! "you must run npm install" in a README or "If you installed via Homebrew,
//! ignore the instructions above" in docs are all left alone.
//!
//! Cost: each rule lists *anchor* keywords of which one occurs in every
//! match. A single literal pass ([`TRIGGER`]) finds all anchors in the text;
//! each rule's regex then runs only on the sentences around its own anchors
//! instead of over the whole text, which keeps ~70 rules to roughly the cost
//! of one multi-literal search on clean text.

use super::RuleId;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{Sink, Views};
pub(crate) use crate::text::{ceil, floor};

/// Extra context check run on a regex match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    None,
    /// Reject "If you use Docker, ignore the instructions above".
    NotSoftwareConditional,
    /// Reject passive constructions right after the modal ("must be …").
    NotPassive,
    /// Reject "you are now the owner of this bot" style fillers.
    NoPrepositionFiller,
    /// The sentence must also mention an AI / assistant / model.
    AiInSentence,
    /// Text following an authority marker must contain a directive.
    AuthorityPayload,
    /// The sentence must contain a directive (modal or imperative).
    DirectiveInSentence,
    /// `[INST]` / `<<SYS>>` only in their real upper-case spelling; the
    /// lower-case forms are everyday code (`foo([inst])`).
    TemplateCase,
    /// The AI word the match ends with is not the first half of a product's
    /// name: "UI message for AI SDK" names the Vercel AI SDK, it addresses no
    /// model.
    NotProductName,
}

struct RuleDef {
    rule: RuleId,
    reason: &'static str,
    guard: Guard,
    /// Keywords (lower-case word prefixes) of which at least one occurs in
    /// every match. The rule's regex only runs on sentences around them.
    anchors: &'static [&'static str],
    re: &'static str,
}

pub(crate) struct Rule {
    pub rule: RuleId,
    pub reason: &'static str,
    guard: Guard,
    anchors: &'static [&'static str],
    re: Regex,
}

const VERBS_OVERRIDE: &[&str] = &[
    "ignor",
    "disregard",
    "forget",
    "discard",
    "abandon",
    "neglect",
    "set aside",
    "stop following",
    "not follow",
    "don't follow",
    "dont follow",
    "no longer follow",
    "no attention",
];
const YOU_ARE_NOW: &[&str] = &["you are now", "you're now", "you r now"];
const FROM_NOW_ON: &[&str] = &[
    "from now on",
    "from this point",
    "from here on",
    "henceforth",
    "starting now",
    "in all future",
    "for all future",
];
/// Nouns for an AI that reads or processes the text.
const AI_READERS: &[&str] = &[
    "ai",
    "llm",
    "language",
    "assistant",
    "agent",
    "model",
    "bot",
    "bots",
    "crawler",
    "scraper",
];
const AUTHORITIES: &[&str] = &[
    "admin",
    "developer",
    "system",
    "operator",
    "owner",
    "creator",
    "anthropic",
    "openai",
    "security",
    "department",
];

const OVERRIDE: RuleId = RuleId::OverrideInstructions;
const ROLE: RuleId = RuleId::RoleHijack;
const EXTRACT: RuleId = RuleId::PromptExtraction;
const AUTHORITY: RuleId = RuleId::FakeAuthority;
const ADDRESSED: RuleId = RuleId::AddressedToAi;
const MEMORY: RuleId = RuleId::MemoryPersistence;
const CONCEAL: RuleId = RuleId::ConcealFromUser;

const R_OVERRIDE: &str = "tells the model to ignore or replace its previous instructions";
const R_NEW: &str = "announces new instructions that replace the model's own";
const R_ROLE: &str =
    "tries to change the assistant's identity or switch it into an unrestricted mode";
const R_EXTRACT: &str = "asks the model to reveal its system prompt or hidden instructions";
const R_TEMPLATE: &str =
    "contains chat-template control tokens that impersonate a system or assistant turn";
const R_AUTHORITY: &str =
    "impersonates a system, administrator or developer message addressed to the AI";
const R_ADDRESSED: &str =
    "speaks directly to an AI reader, the hallmark of indirect prompt injection";
const R_MEMORY: &str = "tries to make the agent persist an instruction in its memory";
const R_AGENTS: &str = "gives standing orders to AI agents";
const R_CONCEAL: &str = "tells the model to hide something from the user";

/// Compile a rule pattern; `\b` becomes the ASCII word boundary so the lazy
/// DFA stays usable on non-ASCII input. Constant patterns only (unit-tested).
fn compile(pattern: &str) -> Regex {
    let p = pattern.replace(r"\b", r"(?-u:\b)");
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(&p).expect("built-in injection rule must compile")
}

fn build(defs: &[RuleDef]) -> Vec<Rule> {
    defs.iter()
        .map(|d| Rule {
            rule: d.rule,
            reason: d.reason,
            guard: d.guard,
            anchors: d.anchors,
            re: compile(d.re),
        })
        .collect()
}

/// English rules over `Views::lower`.
static ENGLISH: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Guard::*;
    build(&[
        // ---- override ---------------------------------------------------
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: NotSoftwareConditional,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget|discard|abandon|neglect|set\s+aside|stop\s+following|do\s+not\s+follow|don'?t\s+follow|no\s+longer\s+follow|pay\s+no\s+attention\s+to)\s+(?:(?:all|any|every|each|the|your|my|of|these|those|its|their|our|previously|earlier|given|prior)\s+){0,4}(?:previous|previously\s+given|prior|above|earlier|preceding|foregoing|original|initial|former|system|developer)\s+(?:[a-z'-]+\s+)?(?:instructions?|rules|guidelines|directives?|prompts?|guidance|constraints|restrictions|programming|orders|directions)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: NotSoftwareConditional,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget|discard)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:instructions?|rules|guidelines|directives?|prompts?|directions)\s+(?:(?:you\s+(?:were|have\s+been)\s+given|given\s+to\s+you|you\s+received|provided)\s+)?(?:above|before|previously|earlier|so\s+far|until\s+now|up\s+to\s+now|prior\s+to\s+this)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: None,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget|discard)\s+(?:all\s+)?(?:of\s+)?your\s+(?:(?:previous|prior|original|initial|current|system|safety|core|existing|default)\s+)*(?:instructions?|rules|guidelines|programming|system\s+prompt|prompt|directives?|training|restrictions|constraints|guardrails|principles|policies)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: None,
            anchors: &["override", "bypass", "circumvent", "disable", "deactivate"],
            re: r"\b(?:override|bypass|circumvent|disable|deactivate)\s+(?:all\s+)?(?:of\s+)?your\s+(?:(?:safety|content|ethical|current|existing|original|core)\s+)*(?:instructions?|programming|system\s+prompt|training|guardrails|guidelines|safety\s+filters?|content\s+polic(?:y|ies)|safeguards)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: NotSoftwareConditional,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:that\s+)?(?:you\s+(?:were|have\s+been|'ve\s+been)\s+told|i\s+(?:told|said\s+to)\s+you|above|before\s+this|previously|prior\s+to\s+this|so\s+far)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: NotSoftwareConditional,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?(?:the\s+)?(?:above|foregoing)(?:\s+(?:text|content|context|conversation|input|prompt))?\s*(?:$|[.,;:!]|\band\b|\bthen\b|\binstead\b)",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: None,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget)\s+all\s+(?:prior\s+|previous\s+)?(?:instructions|directives|guidelines)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: None,
            anchors: VERBS_OVERRIDE,
            re: r"\b(?:ignore|disregard|forget|discard)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:instructions?|rules|guidelines|directives?|prompts?)\s+(?:that\s+)?(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:given|told)|given\s+to\s+you|you\s+(?:received|got))\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_OVERRIDE,
            guard: None,
            anchors: &["ignor", "disregard", "forget", "bypass", "override"],
            re: r"\bi\s+(?:will|shall|am\s+going\s+to|'ll)\s+(?:now\s+)?(?:ignore|disregard|forget|bypass|override)\s+(?:all\s+)?(?:of\s+)?(?:my|the)\s+(?:previous\s+|prior\s+|original\s+|safety\s+)?(?:instructions|guidelines|rules|programming|restrictions|system\s+prompt)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_NEW,
            guard: None,
            anchors: &["stop", "halt", "wait"],
            re: r"\b(?:stop|halt|wait)\s*[.!:]+\s*(?:your\s+)?(?:new|real|actual|updated)\s+(?:task|instructions?|objective|goal|orders)\b",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_NEW,
            guard: None,
            anchors: &["instruction", "directive", "orders", "prompt"],
            re: r"\b(?:new|real|actual|true|secret|hidden|override|priority)\s+(?:system\s+)?(?:instructions?|directives?|orders|system\s+prompt)\s*(?::|-{1,2}\s|!)",
        },
        RuleDef {
            rule: OVERRIDE,
            reason: R_NEW,
            guard: None,
            anchors: &[
                "instruction",
                "task",
                "goal",
                "objective",
                "purpose",
                "directive",
                "mission",
                "orders",
            ],
            re: r"\byour\s+(?:new|real|actual|true|only|primary)\s+(?:instructions?|task|goal|objective|purpose|directive|mission|orders)\s+(?:is|are|now)\b",
        },
        // ---- role hijack ------------------------------------------------
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: NoPrepositionFiller,
            anchors: YOU_ARE_NOW,
            re: r"\byou(?:\s+are|'re|\s+r)\s+now\s+(?:a|an|the|my)\s+(?:[a-z'-]+\s+){0,2}?(?:ai|assistant|chatbot|llm|language\s+model|model|persona|character)\b",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: None,
            anchors: YOU_ARE_NOW,
            re: r"\byou(?:\s+are|'re)\s+now\s+(?:in\s+)?(?:dan|jailbroken|jailbreak|unrestricted|unfiltered|uncensored|unchained|unbound|free\s+(?:from|of)\s+(?:all|any|your)|no\s+longer\s+(?:bound|restricted|limited|constrained|an?\s+(?:ai|assistant|language\s+model)|required\s+to\s+follow|subject\s+to)|(?:in\s+)?(?:developer|god|dan|jailbreak|unrestricted|unfiltered|evil|opposite)\s+mode)\b",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: None,
            anchors: &["dan", "jailbr", "unrestricted", "unfiltered", "uncensored"],
            re: r"\b(?:dan|jailbreak|jailbroken|unrestricted|unfiltered|uncensored)\s+mode\b|\b(?:enable|activate|enter|initiate|begin|start|engage)\s+(?:the\s+)?jailbreak\b|\bjailbreak\s+(?:enabled|activated|successful|complete)\b|\byou(?:\s+are|'re)\s+(?:now\s+)?(?:a\s+)?jailbr(?:oken|eak)",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: AiInSentence,
            anchors: &["developer"],
            re: r"\bdeveloper\s+mode\b",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: None,
            anchors: &[
                "act as",
                "behave as",
                "respond as",
                "reply as",
                "answer as",
                "roleplay",
                "role-play",
            ],
            re: r"(?:^|[.!?:;\n]\s*|\byou\s+(?:will|must|should|shall|are\s+to|need\s+to|are\s+going\s+to)\s+(?:now\s+)?|\bfrom\s+now\s+on,?\s+(?:you\s+(?:will|must|should|shall)\s+)?|\bnow,?\s+|\bplease\s+)(?:act|behave|respond|reply|answer|roleplay|role-play)\s+as\s+(?:if\s+you\s+(?:are|were|have|had)\s+(?:no|an?|not)\b|though\s+you|(?:an?|my|the)\s+(?:[a-z'-]+\s+){0,2}?(?:ai|assistant|chatbot|llm|language\s+model|dan|hacker|linux\s+terminal|terminal|persona|character|jailbroken|unrestricted|unfiltered|uncensored|evil)\b|dan\b)",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: None,
            anchors: &["pretend"],
            re: r"\bpretend\s+(?:to\s+be|(?:that\s+)?you(?:\s+are|'re)|you\s+have\s+no)\s+(?:an?\s+|the\s+|my\s+)?(?:[a-z'-]+\s+){0,2}?(?:ai|assistant|chatbot|llm|dan|unrestricted|unfiltered|uncensored|jailbroken|evil|restrictions|rules|limits|filters|guidelines)\b",
        },
        RuleDef {
            rule: ROLE,
            reason: R_ROLE,
            guard: None,
            anchors: FROM_NOW_ON,
            re: r"\b(?:from\s+now\s+on|from\s+this\s+point\s+(?:on|forward|onwards?)|from\s+here\s+on(?:\s+out)?|henceforth|starting\s+now),?\s+you(?:\s+are|'re|\s+will\s+be)\s+(?:called|named|known\s+as|dan|no\s+longer|unrestricted|unfiltered|uncensored|jailbroken|free\s+(?:from|of)|an?\s+(?:[a-z'-]+\s+){0,2}?(?:ai|assistant|chatbot|persona|character|llm))\b",
        },
        // ---- prompt extraction -----------------------------------------
        RuleDef {
            rule: EXTRACT,
            reason: R_EXTRACT,
            guard: None,
            anchors: &["prompt", "instruction", "system", "developer"],
            re: r"\b(?:reveal|print|output|repeat|show|display|leak|disclose|share|tell\s+me|dump|spell\s+out|write\s+out|recite|provide|include|paste|append)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your\s+(?:(?:full|entire|complete|original|initial|hidden|secret|exact|verbatim)\s+)*|the\s+(?:(?:full|entire|complete|original|initial|hidden|secret|exact|verbatim)\s+)+)(?:system\s+prompt|system\s+message|prompt|instructions|initial\s+(?:prompt|instructions)|hidden\s+(?:prompt|instructions)|original\s+(?:prompt|instructions)|secret\s+instructions|developer\s+(?:prompt|message|instructions))\b",
        },
        RuleDef {
            rule: EXTRACT,
            reason: R_EXTRACT,
            guard: None,
            anchors: &["prompt", "instruction"],
            re: r"\b(?:reveal|print|output|repeat|show|send|give|tell|email|share)\s+(?:me\s+|us\s+)?(?:the|your)\s+(?:system\s+prompt|initial\s+(?:prompt|instructions)|hidden\s+instructions|instructions)\b[^.\n]{0,60}?\b(?:verbatim|word\s+for\s+word|exactly|in\s+full|you\s+(?:were|have\s+been)\s+given)",
        },
        RuleDef {
            rule: EXTRACT,
            reason: R_EXTRACT,
            guard: None,
            anchors: &["repeat", "prompt", "instruction"],
            re: r"\brepeat\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:words|text|everything|instructions)\s+(?:above|before\s+this)\b|\bwhat\s+(?:is|are|were)\s+your\s+(?:system\s+prompt|initial\s+instructions|original\s+instructions|hidden\s+instructions)\b",
        },
        // ---- fake authority --------------------------------------------
        RuleDef {
            rule: AUTHORITY,
            reason: R_TEMPLATE,
            guard: TemplateCase,
            anchors: &["<|", "<<", "[inst", "[/inst"],
            re: r"<\|(?:im_start|im_end|im_sep|system|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|<<\s*/?sys\s*>>|\[/?inst\]",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: AuthorityPayload,
            anchors: &[
                "system",
                "admin",
                "developer",
                "operator",
                "security",
                "root",
                "begin",
                "start",
            ],
            re: r"\b(?:begin|start)\s+(?:trusted|system|admin|official|secret|hidden|priority|developer)\s+(?:instructions?|prompt|message|directives?)\b|\[\s*system\s*\]|<\s*/?system\s*>|\bsystem\s*(?:notice|message|override|alert|instructions?|directive|update|announcement|prompt|note)\b|\bsystem\s*:|\b(?:admin(?:istrator)?|developer|operator|security|root)\s+(?:notice|message|override|directive|instructions?)\s*:",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: NotProductName,
            anchors: &[
                "ai",
                "a.i.",
                "claude",
                "chatgpt",
                "gpt",
                "llm",
                "language",
                "coding",
                "automated",
                "copilot",
                "gemini",
            ],
            re: r"\b(?:important|urgent|critical|attention|priority|mandatory|official|note|notice|message|memo|reminder|directive|instructions?|warning)\s*[:!,-]?\s*(?:note\s+|notice\s+|message\s+|instructions?\s+|information\s+|update\s+|reminder\s+|embedded\s+|intended\s+|meant\s+|written\s+|hidden\s+)?(?:to|for)\s+(?:the\s+|all\s+|any\s+|every\s+)?(?:ai|a\.i\.|claude|chatgpt|gpt|llms?|language\s+models?|ai\s+(?:assistants?|agents?|models?|systems?|readers?)|coding\s+agents?|automated\s+(?:agents?|assistants?|systems?|readers?)|copilot|gemini)\b",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: None,
            anchors: &["important", "urgent", "critical", "attention", "mandatory"],
            re: r"\b(?:important|urgent|critical|attention|mandatory)\s*[:!,-]?\s*(?:note\s+|notice\s+|message\s+|instructions?\s+|information\s+|update\s+)?(?:to|for)\s+(?:the\s+|all\s+|any\s+)?(?:agents?|assistants?|models?)\b",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: None,
            anchors: AUTHORITIES,
            re: r"\b(?:message|note|notice|instructions?|directive|order|memo)\s+from\s+(?:the\s+|your\s+)?(?:administrator|admin|developers?|system|operator|owner|creators?|anthropic|openai|security\s+team|it\s+department|site\s+owner)s?\b[^\n.]{0,60}?\b(?:to|for)\s+(?:the\s+|all\s+|any\s+)?(?:ai|assistants?|agents?|models?|llms?|claude|chatgpt)\b",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: AuthorityPayload,
            anchors: AUTHORITIES,
            re: r"\b(?:message|notice|instructions?|directive|order)\s+from\s+(?:the\s+|your\s+)?(?:administrator|admin|developers?|system|operator|creators?|anthropic|openai)\b",
        },
        RuleDef {
            rule: AUTHORITY,
            reason: R_AUTHORITY,
            guard: NotPassive,
            anchors: &[
                "ai",
                "assistant",
                "llm",
                "language",
                "chatbot",
                "claude",
                "chatgpt",
                "copilot",
                "coding",
            ],
            re: r"\bthe\s+(?:ai|assistant|ai\s+assistant|ai\s+agent|ai\s+model|llm|language\s+model|chatbot|claude|chatgpt|copilot|coding\s+agent)\s+(?:must|shall|is\s+(?:required|instructed|ordered|obligated)\s+to|has\s+to|needs\s+to|should\s+(?:always|never|now|immediately|only))\b",
        },
        // ---- addressed to AI -------------------------------------------
        RuleDef {
            rule: ADDRESSED,
            reason: R_ADDRESSED,
            guard: None,
            anchors: &[
                "ai",
                "a.i.",
                "llm",
                "large",
                "language",
                "chatbot",
                "gpt",
                "chatgpt",
                "claude",
                "automated",
                "autonomous",
                "coding",
            ],
            re: r"\bif\s+you(?:\s+are|'re)\s+(?:an?\s+)?(?:ai|a\.i\.|llm|large\s+language\s+model|language\s+model|ai\s+(?:assistant|agent|model|system)|(?:ai\s+)?chatbot|gpt|chatgpt|claude|automated\s+(?:agent|assistant|system)|autonomous\s+agent|coding\s+agent)\b",
        },
        RuleDef {
            rule: ADDRESSED,
            reason: R_ADDRESSED,
            guard: None,
            anchors: &["ai", "llm", "language", "chatbot"],
            re: r"\b(?:are\s+you|you(?:'re|\s+are))\s+an?\s+(?:ai|llm|language\s+model|chatbot|ai\s+(?:assistant|agent|model))\s*\?",
        },
        RuleDef {
            rule: ADDRESSED,
            reason: R_ADDRESSED,
            guard: None,
            anchors: &["ai", "llm", "chatgpt", "gpt", "copilot", "language"],
            re: r"\b(?:hey|hi|hello|dear|attention|listen|yo|calling\s+all)\s*,?\s+(?:all\s+)?(?:ai|llm|chatgpt|gpt|copilot|language\s+model)s?(?:\s+(?:crawlers?|agents?|assistants?|models?|bots?|systems?|readers?|scrapers?))?(?:\s+and\s+[a-z]+)?\s*[,:!.]",
        },
        RuleDef {
            rule: ADDRESSED,
            reason: R_ADDRESSED,
            guard: DirectiveInSentence,
            anchors: AI_READERS,
            re: r"\b(?:when|if|once|as\s+soon\s+as)\s+(?:the|an|any|an?\s+ai)\s+(?:ai|agent|assistant|model|llm|bot|crawler)s?\s+(?:reads?|processes|sees|parses|summari[sz]es|ingests|encounters|finds|opens)\s+this\b",
        },
        RuleDef {
            rule: ADDRESSED,
            reason: R_ADDRESSED,
            guard: DirectiveInSentence,
            anchors: AI_READERS,
            re: r"\b(?:ai|llm|language\s+model|ai\s+assistant|assistant|ai\s+agent|agent|model|bot|crawler|scraper)s?\s+(?:reading|processing|parsing|summari[sz]ing|crawling|browsing|indexing|ingesting|analy[sz]ing|scraping|that\s+(?:reads?|process(?:es)?|summari[sz]es?)|who\s+reads?)\s+(?:this|it|these|the\s+(?:page|document|file|text|content|message|email|site))\b",
        },
        // ---- memory persistence ----------------------------------------
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &["remember", "memori", "internali", "retain"],
            re: r"\b(?:remember|memori[sz]e)\s+(?:permanently|forever|for\s+(?:all\s+)?future\s+(?:sessions|conversations))\b|\b(?:remember|memori[sz]e|internali[sz]e|retain)\s+(?:this|that|these|the\s+following|it)\b(?:\s+[a-z'-]+){0,4}?\s+(?:permanently|forever|for\s+(?:all\s+)?(?:future|later|subsequent)\s+(?:sessions|conversations|interactions|tasks|runs|chats|reference)|across\s+(?:all\s+)?(?:future\s+)?(?:sessions|conversations|chats)|to\s+(?:your\s+|long[\s-]*term\s+|permanent\s+|persistent\s+)+memory|in\s+(?:your\s+)?(?:long[\s-]*term\s+|permanent\s+|persistent\s+)?memory)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &[
                "persist", "store", "save", "keep", "apply", "retain", "remember", "memori",
                "carry",
            ],
            re: r"\b(?:persist|store|save|keep|apply|retain|remember|memori[sz]e|carry)\s+(?:this|these|the\s+following)\s+(?:instructions?|rules?|directives?|notes?|facts?)\b(?:\s+[a-z'-]+){0,3}?\s+(?:across|in|for|over)\s+(?:all\s+)?(?:future\s+|subsequent\s+)?(?:sessions|conversations|chats|runs)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &["memor"],
            re: r"\bcommit\s+(?:this|that|these|it|the\s+following)\b(?:\s+[a-z'-]+){0,3}?\s+to\s+(?:your\s+)?(?:long[\s-]*term\s+|permanent\s+|persistent\s+)?memory\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &["memor", "knowledge"],
            re: r"\b(?:store|save|write|add|record|persist|keep|put|insert|note|log|commit|remember)\s+(?:this|that|these|it|the\s+following|the\s+(?:above|below)(?:\s+[a-z'-]+)?)\b(?:\s+[a-z'-]+){0,4}?\s+(?:in|into|to|inside)\s+(?:your|the\s+(?:agent|assistant|ai|model)'?s?|its)\s+(?:(?:long[\s-]*term|permanent|persistent|core|global|shared)\s+)?(?:memory|memories|memory\s+(?:store|bank|file)|knowledge\s+base)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &["memor"],
            re: r"\b(?:store|save|write|add|record|persist|keep|put|insert|commit|remember)\s+(?:this|that|these|it|the\s+following)\b(?:\s+[a-z'-]+){0,4}?\s+(?:in|into|to)\s+(?:the\s+)?long[\s-]*term\s+memory\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: &["memor", "prompt", "instruction", "directive"],
            re: r"\bupdate\s+(?:your|its|the\s+(?:agent|assistant|ai)'?s?)\s+(?:(?:long[\s-]*term|persistent|permanent|core)\s+)?(?:memory|memories|system\s+prompt|instructions|directives)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: FROM_NOW_ON,
            re: r"\b(?:from\s+now\s+on|from\s+this\s+point\s+(?:on|forward|onwards?)|from\s+here\s+on(?:\s+out)?|henceforth|in\s+all\s+future\s+(?:sessions|conversations|responses)|for\s+all\s+future\s+(?:sessions|conversations|responses)),?\s+(?:the\s+(?:agent|assistant|ai|model|llm)|all\s+(?:agents|assistants|ai\s+agents)|agents|assistants|ai\s+(?:agents|assistants|models)|claude|every\s+agent)\s+(?:must|should|shall|will|are\s+to|have\s+to|need\s+to|always|never)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_MEMORY,
            guard: None,
            anchors: FROM_NOW_ON,
            re: r"\b(?:from\s+now\s+on|from\s+this\s+point\s+(?:on|forward|onwards?)|from\s+here\s+on(?:\s+out)?|henceforth|in\s+all\s+future\s+(?:sessions|conversations)),?\s+(?:you|u)\s+(?:must|should|will|shall|are\s+going\s+to)\s+(?:always|never|only|ignore|obey|disregard|forget|respond|reply|answer|act|behave|pretend|refer|address|include|send|forward|remember|treat|trust)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_AGENTS,
            guard: NotPassive,
            anchors: &["ai", "a.i.", "llm", "coding", "autonomous"],
            re: r"\b(?:ai|a\.i\.|llm|coding|autonomous)[\s-]+(?:agents?|assistants?)\s+(?:(?:reading|processing|working\s+on|using|in)\s+[^.\n]{0,40}?\s+)?(?:must|shall|are\s+(?:required|instructed|expected|obligated)\s+to|have\s+to|need\s+to|should\s+(?:always|never|only|immediately|first|now))\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_AGENTS,
            guard: NotPassive,
            anchors: &["agent", "assistant", "llm", "bot", "ai"],
            re: r"\b(?:all|every|any|each)\s+(?:agents?|assistants?|llms?|bots?|ai)\s+(?:must|shall|are\s+required\s+to|should\s+(?:always|never))\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: R_AGENTS,
            guard: NotPassive,
            anchors: &["llm"],
            re: r"\bllms?\s+(?:must|shall|should\s+(?:always|never))\b",
        },
        // ---- concealment ------------------------------------------------
        RuleDef {
            rule: CONCEAL,
            reason: R_CONCEAL,
            guard: None,
            anchors: &["user"],
            re: r"\b(?:do\s+not|don'?t|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|let(?:ting)?)\s+the\s+user\s+(?:know\s+)?(?:about|of|that)\s+(?:this|these|it|you|the\s+(?:above|instructions?|message|note|change|request))\b",
        },
        RuleDef {
            rule: CONCEAL,
            reason: R_CONCEAL,
            guard: None,
            anchors: &["user", "in your"],
            re: r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|show|display|repeat|report)\s+(?:this|these|the\s+(?:above|following))\s+(?:instructions?|messages?|notes?|directives?|text|rules?)\s+(?:to\s+(?:the\s+)?user|in\s+your\s+(?:response|reply|answer|summary|output))|\b(?:keep|hide)\s+(?:this|these\s+instructions?)\s+(?:hidden|secret)\s+from\s+the\s+user\b",
        },
    ])
});

/// Latin-script languages over `Views::lower` (accents already stripped).
static LATIN_FOREIGN: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Guard::*;
    build(&[
        // French
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (French)",
            guard: None,
            anchors: &["ignor", "oubli", "tiens", "tenez", "fais"],
            re: r"\b(?:ignore[rz]?|oublie[rz]?|ne\s+tiens?\s+pas\s+compte\s+des?|ne\s+tenez\s+pas\s+compte\s+des?|fais\s+abstraction\s+des?)\s+(?:toutes?\s+)?(?:les\s+|tes\s+|vos\s+)?(?:instructions|consignes|directives|regles)\s+(?:precedentes|anterieures|ci-dessus|precedemment\s+donnees|d'avant)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (French)",
            guard: None,
            anchors: &["agent", "partir"],
            re: r"\b(?:les\s+|tous\s+les\s+)?agents\s+(?:d'\s*|de\s+l'\s*)?(?:ia|ai|intelligence\s+artificielle)\s+doivent\b|\ba\s+partir\s+de\s+maintenant,?\s+(?:tu\s+dois|vous\s+devez)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (French)",
            guard: None,
            anchors: &[
                "memori",
                "retiens",
                "retenez",
                "souvien",
                "souvenez",
                "enregistr",
                "garde",
            ],
            re: r"\b(?:memorise[rz]?|retiens|retenez|souviens-toi\s+de|souvenez-vous\s+de|enregistre[rz]?|garde[rz]?)\s+(?:ceci|cela|ca|cette\s+(?:information|instruction|regle))\s+(?:de\s+facon\s+permanente|definitivement|pour\s+toujours|en\s+permanence|dans\s+ta\s+memoire|dans\s+votre\s+memoire)",
        },
        // Spanish
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Spanish)",
            guard: None,
            anchors: &["ignor", "olvid", "descart", "haz", "hagas"],
            re: r"\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olviden|descarta|descarte|haz\s+caso\s+omiso\s+de|no\s+hagas\s+caso\s+a)\s+(?:todas\s+)?(?:las\s+|tus\s+|sus\s+)?(?:instrucciones|indicaciones|reglas|directrices|ordenes)\s+(?:anteriores|previas|de\s+arriba|precedentes)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Spanish)",
            guard: None,
            anchors: &["agent", "partir"],
            re: r"\blos\s+agentes\s+de\s+(?:ia|ai|inteligencia\s+artificial)\s+(?:deben|tienen\s+que)\b|\ba\s+partir\s+de\s+ahora,?\s+(?:debes|deberas|tienes\s+que)\s+(?:siempre|nunca)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Spanish)",
            guard: None,
            anchors: &["recuerd", "memori", "guard"],
            re: r"\b(?:recuerda|recuerde|memoriza|memorice|guarda|guarde)\s+(?:esto|esta\s+(?:informacion|instruccion|regla))\s+(?:permanentemente|para\s+siempre|de\s+forma\s+permanente|en\s+tu\s+memoria|en\s+su\s+memoria)",
        },
        // German
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (German)",
            guard: None,
            anchors: &["ignor", "vergiss", "vergessen", "missacht"],
            re: r"\b(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|missachten\s+sie)\s+(?:alle\s+|die\s+)?(?:(?:bisherigen|vorherigen|vorigen|obigen|fruheren|vorangegangenen|deine|ihre)\s+)+(?:anweisungen|instruktionen|befehle|regeln|vorgaben|richtlinien)\b|\bignoriere\s+alle\s+anweisungen\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (German)",
            guard: None,
            anchors: &["agent", "jetzt", "sofort"],
            re: r"\b(?:ki|ai)-?\s*agenten\s+(?:mussen|sollen|sollten\s+immer)\b|\bab\s+(?:jetzt|sofort),?\s+(?:musst|sollst)\s+du\s+(?:immer|nie)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (German)",
            guard: None,
            anchors: &["merk", "speicher"],
            re: r"\b(?:merke?|merk)\s+dir\s+(?:das|dies|folgendes)\s+(?:dauerhaft|fur\s+immer|permanent)|\bspeichere\s+(?:das|dies|folgendes)\s+(?:dauerhaft|permanent|in\s+deinem\s+(?:gedachtnis|speicher))",
        },
        // Italian
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Italian)",
            guard: None,
            anchors: &["ignor", "dimentic", "trascur"],
            re: r"\b(?:ignora|ignorate|dimentica|dimenticate|trascura)\s+(?:tutte\s+)?(?:le\s+)?(?:istruzioni|indicazioni|regole|direttive)\s+(?:precedenti|sopra|date\s+in\s+precedenza|fornite\s+prima)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Italian)",
            guard: None,
            anchors: &["agent", "d'ora"],
            re: r"\bgli\s+agenti\s+(?:di\s+)?(?:ia|ai|intelligenza\s+artificiale)\s+devono\b|\bd'ora\s+in\s+poi,?\s+devi\s+(?:sempre|mai)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Italian)",
            guard: None,
            anchors: &["ricord", "memori", "salva"],
            re: r"\b(?:ricorda|ricordati|memorizza|salva)\s+(?:questo|questa\s+(?:informazione|istruzione|regola)|quanto\s+segue)\s+(?:per\s+sempre|in\s+modo\s+permanente|permanentemente|nella\s+tua\s+memoria)",
        },
        // Portuguese
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Portuguese)",
            guard: None,
            anchors: &["ignor", "esquec", "desconsider"],
            re: r"\b(?:ignore|ignora|ignorem|esqueca|esquece|desconsidere|desconsidera)\s+(?:todas\s+)?(?:as\s+)?(?:instrucoes|orientacoes|regras|diretrizes)\s+(?:anteriores|previas|acima)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Portuguese)",
            guard: None,
            anchors: &["agent"],
            re: r"\bos\s+agentes\s+de\s+(?:ia|ai|inteligencia\s+artificial)\s+devem\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Portuguese)",
            guard: None,
            anchors: &["lembr", "memori", "guard", "salve"],
            re: r"\b(?:lembre-se|lembra-te|memorize|memoriza|guarde|salve)\s+(?:disso|disto|isso|isto|desta\s+informacao)\s+(?:para\s+sempre|permanentemente|de\s+forma\s+permanente|na\s+sua\s+memoria|na\s+tua\s+memoria)",
        },
        // Dutch
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Dutch)",
            guard: None,
            anchors: &["negeer", "vergeet"],
            re: r"\b(?:negeer|vergeet)\s+(?:alle\s+)?(?:de\s+|je\s+)?(?:vorige|eerdere|voorgaande|bovenstaande)\s+(?:instructies|regels|opdrachten)\b",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Dutch)",
            guard: None,
            anchors: &["agent"],
            re: r"\bai-?\s*agenten\s+moeten\b",
        },
    ])
});

/// Non-Latin scripts over the NFKC `native` view (no word boundaries: CJK
/// has no spaces and `\b` is ASCII-only here).
static NATIVE_FOREIGN: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Guard::*;
    build(&[
        // Chinese (simplified + traditional)
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Chinese)",
            guard: None,
            anchors: &[],
            re: r"(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|忘记|忘記|忘掉)(?:掉)?(?:你)?[^。\n]{0,4}?(?:之前|以前|先前|上面|上述|以上|上文|前述|前面|此前|所有|全部|一切)[^。\n]{0,8}?(?:指令|指示|说明|說明|规则|規則|命令|提示|设定|設定)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Chinese)",
            guard: None,
            anchors: &[],
            re: r"(?:ai|人工智能)\s*(?:代理|助手|智能体|智能體|agent)s?(?:们|們)?\s*(?:都)?(?:必须|必須|务必|務必|一律|始终|始終|应该始终|應該始終)|(?:从现在开始|從現在開始|从今以后|從今以後)[,，]?\s*你(?:必须|必須|要始终|只能)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Chinese)",
            guard: None,
            anchors: &[],
            re: r"(?:永久|永远|永遠)(?:地)?(?:记住|記住)|(?:记住|記住|保存|存储|儲存|写入|寫入)(?:这|這|以下)[^。\n]{0,10}(?:到|在|进|進)(?:你的)?(?:长期|長期|永久)?(?:记忆|記憶)",
        },
        // Japanese
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Japanese)",
            guard: None,
            anchors: &[],
            re: r"(?:以前|前|上記|これまで|先|上)の(?:すべての|全ての|全部の)?(?:指示|命令|ルール|指令|インストラクション)(?:を|は)?(?:すべて|全て)?(?:無視|忘れ)|(?:指示|命令)を(?:すべて|全て)?無視して",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Japanese)",
            guard: None,
            anchors: &[],
            re: r"ai\s*エージェント(?:は|が)[^。\n]{0,40}(?:必ず|常に|しなければならない|する必要がある|すること)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Japanese)",
            guard: None,
            anchors: &[],
            re: r"(?:永久に|永続的に|ずっと)(?:記憶|覚え)|(?:これ|この(?:情報|指示|ルール))を(?:永久に|永続的に|長期)?(?:記憶|メモリ)に(?:保存|記録)",
        },
        // Russian
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Russian)",
            guard: None,
            anchors: &[],
            re: r"(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не\s+обращай(?:те)?\s+внимания\s+на)\s+(?:все\s+)?(?:предыдущие|прежние|предшествующие|вышеуказанные|вышеприведенные|прошлые|свои|твои|ваши)\s+(?:\S+\s+)?(?:инструкции|указания|правила|команды|директивы)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Russian)",
            guard: None,
            anchors: &[],
            re: r"ии[\s-]*агенты\s+(?:должны|обязаны)|(?:с\s+этого\s+момента|отныне),?\s+ты\s+(?:должен|обязан)\s+(?:всегда|никогда)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "tries to make the agent persist an instruction in its memory (Russian)",
            guard: None,
            anchors: &[],
            re: r"запомни(?:те)?\s+(?:это\s+)?навсегда|(?:сохрани|запиши)(?:те)?\s+это\s+в\s+(?:свою\s+|твою\s+)?(?:постоянную\s+|долговременную\s+)?памят",
        },
        // Korean
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Korean)",
            guard: None,
            anchors: &[],
            re: r"(?:이전|앞의|위의|기존)\s*(?:의\s*)?(?:모든\s*)?(?:지시|지침|명령|규칙)(?:사항)?(?:을|를|은|는)?\s*(?:모두\s*)?(?:무시|잊어)",
        },
        RuleDef {
            rule: MEMORY,
            reason: "gives standing orders to AI agents (Korean)",
            guard: None,
            anchors: &[],
            re: r"ai\s*에이전트(?:는|들은)\s*(?:반드시|항상)",
        },
        // Arabic
        RuleDef {
            rule: OVERRIDE,
            reason: "tells the model to ignore its previous instructions (Arabic)",
            guard: None,
            anchors: &[],
            re: r"تجاهل\s+(?:جميع\s+|كل\s+)?(?:التعليمات|الأوامر|التوجيهات)\s+(?:السابقة|أعلاه)",
        },
    ])
});

/// Spaceless versions of the core phrases, checked against letter-spaced
/// runs that were written without word breaks (`i g n o r e a l l …`).
static SQUASHED: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:ignore|disregard|forget)(?:all|any)?(?:the|your|of)?(?:previous|prior|above|earlier)?(?:instructions|rules|guidelines|prompts)|youarenow|developermode|jailbreak|systemprompt|(?:remember|memori[sz]e)this(?:permanently|forever)|aiagents(?:must|should)|newinstructions",
    )
});

/// AI addressee nouns, for guards.
static AI_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:ai|a\.i\.|llms?|large\s+language\s+models?|language\s+models?|chatgpt|gpt-?[0-9.o]*|claude|gemini|copilot|chatbots?|ai\s+(?:assistants?|agents?|models?|systems?)|assistants?|coding\s+agents?|autonomous\s+agents?)\b",
    )
});

static SOFTWARE_CONDITIONAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:if|when|unless|once)\s+you(?:'re|\s+are)?\s+(?:already\s+)?(?:using|use|used|installed|install|installing|on|running|run|have|prefer|want|do\s+not|don't|upgraded|upgrading|build|built|deploy|deployed|downloaded|cloned|followed)\b|\b(?:for|on)\s+(?:windows|macos|linux|docker|older\s+versions?|version\s+[0-9])",
    )
});

/// A third-party subject with a modal right before the verb ("the linter
/// will", "it can", "safe to"), unless the subject is the reader/agent.
static DESCRIPTIVE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:^|[^a-z'])(?:it|this|that|which|they|he|she|we|i|one|[a-z]+(?:er|or|ing|tion|ment|ool|ystem|ipt|ile))\s+(?:will|would|can|could|may|might|does|did|doesn't|won't|simply|just|also|automatically)\s+(?:\w+\s+)?$|\b(?:safe|fine|ok|okay|possible|free)\s+to\s+$",
    )
});

/// A scoping phrase right after "ignore the above rules".
static SCOPE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^\s*(?:for|in|when|if|on|unless|except|within|while)\b"));

/// What must follow an authority marker for it to count.
static AUTHORITY_PAYLOAD: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\byou\s+(?:must|shall|are\s+(?:now\s+)?(?:required|instructed|ordered|authori[sz]ed|permitted|allowed|to)|will\s+now|need\s+to|have\s+to|should\s+(?:now|always|never|immediately))\b|\bthe\s+(?:ai|assistant|agent|model|llm)\s+(?:must|should|shall|will\s+now|is\s+(?:now\s+)?(?:required|instructed|authori[sz]ed|permitted|allowed))\b|\b(?:ai\s+agents?|all\s+agents|ai\s+assistants?|llms?)\s+(?:must|should|shall|are)\b|\b(?:ignore|disregard|forget)\s+(?:all|your|previous|prior|the\s+above|everything)\b|\b(?:remember|memori[sz]e)\s+this\b|\byour\s+(?:memory|instructions|system\s+prompt|safety|guidelines)\b|\bexfiltrat|\b(?:do\s+not|don't|never)\s+(?:tell|inform|reveal|mention)\b",
    )
});

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:must|should|shall|need\s+to|are\s+(?:required|instructed|asked)|please|do\s+not|don't|never|always|ignore|remember|include|insert|send|forward|tell|report|respond|reply|answer|say|output|print|recommend|mention|write|add|store|save|rate|rank|score|praise|classify|mark|describe|summari[sz]e)\b|:\s+[a-z]",
    )
});

/// One pass over the text finds every anchor keyword; each rule then runs
/// only on the sentences around its own anchors. Without this, ~60 regex
/// passes over every tool result dominated the cost of scanning.
struct Trigger {
    re: Regex,
    /// Matched keyword -> indices into [`latin_rules`].
    map: HashMap<&'static str, Vec<u16>>,
}

/// English and Latin-script foreign rules, in one index space.
fn latin_rules() -> impl Iterator<Item = &'static Rule> {
    ENGLISH.iter().chain(LATIN_FOREIGN.iter())
}

fn latin_rule(i: usize) -> Option<&'static Rule> {
    ENGLISH
        .get(i)
        .or_else(|| LATIN_FOREIGN.get(i - ENGLISH.len()))
}

static TRIGGER: LazyLock<Trigger> = LazyLock::new(|| {
    let mut keywords: Vec<&'static str> = latin_rules()
        .flat_map(|r| r.anchors.iter().copied())
        .collect();
    keywords.sort_unstable();
    keywords.dedup();
    // A keyword may hide another that starts at the same position (the
    // alternation reports only one), so a keyword maps to the rules of every
    // keyword it is a prefix of, or that is a prefix of it.
    let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
    for &kw in &keywords {
        let ids = latin_rules()
            .enumerate()
            .filter(|(_, r)| {
                r.anchors
                    .iter()
                    .any(|a| a.starts_with(kw) || kw.starts_with(a))
            })
            .filter_map(|(i, _)| u16::try_from(i).ok())
            .collect();
        map.insert(kw, ids);
    }
    let alternatives: Vec<String> = keywords
        .iter()
        .map(|kw| {
            let mut alt = String::new();
            if kw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                alt.push_str(r"\b");
            }
            alt.push_str(&regex::escape(kw));
            if matches!(*kw, "ai" | "dan" | "gpt" | "bot") {
                alt.push_str(r"\b");
            }
            alt
        })
        .collect();
    Trigger {
        re: compile(&alternatives.join("|")),
        map,
    }
});

/// Bytes kept after an anchor: long enough for every rule's match.
const WINDOW_AFTER: usize = 400;

/// Run all phrase rules over the views.
pub(crate) fn scan(views: &Views<'_>, sink: &mut Sink) {
    scan_latin(&views.lower, &views.latin, views.disguised, sink);
    if let Some((native, native_lower)) = &views.native {
        for rule in NATIVE_FOREIGN.iter() {
            apply(
                rule,
                native_lower,
                native,
                0,
                native_lower.len(),
                false,
                sink,
            );
        }
    }
    for flat in &views.squashed {
        if let Some(m) = SQUASHED.find(flat) {
            sink.push(
                OVERRIDE,
                "letter-spaced text spells out an injection phrase".to_string(),
                m.as_str(),
            );
        }
    }
}

/// English and Latin-script rules, each only around its anchor keywords.
fn scan_latin(lower: &str, latin: &str, disguised: bool, sink: &mut Sink) {
    let trigger = &*TRIGGER;
    let mut windows: Vec<Vec<(usize, usize)>> = Vec::new();
    for m in trigger.re.find_iter(lower) {
        let Some(ids) = trigger.map.get(m.as_str()) else {
            continue;
        };
        if windows.is_empty() {
            windows = vec![Vec::new(); ENGLISH.len() + LATIN_FOREIGN.len()];
        }
        // Start at the sentence start so `^`, `\b` and look-behind-like
        // prefixes see the same context as on the full text.
        let (ws, _) = sentence_bounds(lower, m.start(), m.end());
        let we = snap_to_space(lower, m.end() + WINDOW_AFTER);
        for &id in ids {
            let Some(list) = windows.get_mut(usize::from(id)) else {
                continue;
            };
            match list.last_mut() {
                Some(last) if last.1 >= ws => last.1 = last.1.max(we),
                _ => list.push((ws, we)),
            }
        }
    }
    for (id, list) in windows.iter().enumerate() {
        let Some(rule) = latin_rule(id) else { continue };
        for &(ws, we) in list {
            apply(rule, lower, latin, ws, we, disguised, sink);
            if sink.rule_full(rule.rule) {
                break;
            }
        }
    }
}

/// Advance to the next whitespace (at most 32 bytes) and a char boundary.
fn snap_to_space(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let mut j = i.min(b.len());
    let hi = (j + 32).min(b.len());
    while j < hi && !b[j].is_ascii_whitespace() {
        j += 1;
    }
    ceil(text, j)
}

/// Whether any English or Latin-script rule fires on a (short) normalised
/// text; used for hidden containers, where only the verdict matters.
pub(crate) fn any_match(lower: &str, latin: &str) -> bool {
    let mut sink = Sink::new(latin);
    scan_latin(lower, latin, false, &mut sink);
    !sink.is_empty()
}

/// Run `rule` over `lower[ws..we]`, reporting matches (absolute offsets)
/// with excerpts taken from `display`.
/// `disguised` says whether normalisation undid a disguise somewhere in the
/// text; a match then gets an explanatory suffix if the raw text does not
/// literally contain it.
fn apply(
    rule: &Rule,
    lower: &str,
    display: &str,
    ws: usize,
    we: usize,
    disguised: bool,
    sink: &mut Sink,
) {
    let (ws, we) = (floor(lower, ws), ceil(lower, we));
    for m in rule.re.find_iter(&lower[ws..we]) {
        let (s, e) = (ws + m.start(), ws + m.end());
        if !guard_ok(rule.guard, lower, display, s, e) {
            continue;
        }
        let obfuscated = disguised && !sink.raw_contains(m.as_str());
        let reason = if obfuscated {
            format!(
                "{} (disguised with look-alike characters, invisible characters, spacing or markup)",
                rule.reason
            )
        } else {
            rule.reason.to_string()
        };
        sink.push_span(rule.rule, reason, display, s, e);
        if sink.rule_full(rule.rule) {
            break;
        }
    }
}

fn guard_ok(guard: Guard, lower: &str, display: &str, s: usize, e: usize) -> bool {
    match guard {
        Guard::None => true,
        Guard::TemplateCase => {
            let m = &lower[s..e];
            if m.starts_with('[') || m.starts_with("<<") {
                display
                    .get(s..e)
                    .is_some_and(|d| d.contains("INST") || d.contains("SYS"))
            } else {
                true
            }
        }
        Guard::NotSoftwareConditional => {
            let (a, b) = sentence_bounds(lower, s, e);
            let sent = &lower[a..b];
            if SOFTWARE_CONDITIONAL.is_match(sent) && !AI_NOUN.is_match(sent) {
                return false;
            }
            // "Ignore the above rules for test files": a scoped exception in
            // documentation, not an override. Only for rule-like nouns; the
            // canonical attack ("… previous instructions for …") still counts.
            let m = &lower[s..e];
            let scoped_noun = [
                "rules",
                "guidelines",
                "directions",
                "guidance",
                "restrictions",
                "constraints",
            ]
            .iter()
            .any(|n| m.contains(n));
            if scoped_noun && SCOPE_AFTER.is_match(&lower[e..b]) {
                return false;
            }
            // "The linter will ignore the rules above": a description of
            // what some tool does, not an instruction to the reader.
            !DESCRIPTIVE_BEFORE.is_match(&lower[a..s])
        }
        Guard::NotPassive => {
            let after = lower[e..].trim_start();
            !(after.starts_with("be ")
                || after.starts_with("not be ")
                || after.starts_with("been ")
                || after.starts_with("have been ")
                || after.starts_with("be,"))
        }
        Guard::NoPrepositionFiller => {
            let m = &lower[s..e];
            ![
                " of ", " with ", " this ", " for ", " to ", " by ", " on ", " in ", " from ",
            ]
            .iter()
            .any(|p| m.contains(p))
        }
        Guard::AiInSentence => {
            let (a, b) = sentence_bounds(lower, s, e);
            AI_NOUN.is_match(&lower[a..s]) || AI_NOUN.is_match(&lower[e..b])
        }
        Guard::AuthorityPayload => {
            let end = paragraph_end(lower, e);
            AUTHORITY_PAYLOAD.is_match(&lower[e..end])
        }
        Guard::DirectiveInSentence => {
            let (a, b) = sentence_bounds(lower, s, e);
            DIRECTIVE.is_match(&lower[a..b])
        }
        Guard::NotProductName => {
            let next = lower[e..]
                .trim_start_matches([' ', '-'])
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("");
            !matches!(
                next,
                "sdk"
                    | "sdks"
                    | "api"
                    | "apis"
                    | "gateway"
                    | "studio"
                    | "platform"
                    | "library"
                    | "package"
                    | "client"
                    | "provider"
                    | "providers"
                    | "service"
                    | "services"
                    | "integration"
                    | "integrations"
                    | "feature"
                    | "features"
                    | "toolkit"
                    | "framework"
                    | "plugin"
                    | "extension"
                    | "endpoint"
                    | "endpoints"
                    | "stream"
                    | "streams"
                    | "responses"
                    | "response"
            )
        }
    }
}

/// Sentence containing `[s, e)`, bounded to 300 bytes either side.
pub(crate) fn sentence_bounds(text: &str, s: usize, e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let lo = s.saturating_sub(300);
    let mut a = s;
    while a > lo {
        let c = b[a - 1];
        if c == b'\n'
            && (a < 2 || b[a - 2] == b'\n' || matches!(b.get(a), Some(b'-' | b'*' | b'#' | b'>')))
        {
            break;
        }
        if matches!(c, b'.' | b'!' | b'?' | b';') && a < b.len() && b[a].is_ascii_whitespace() {
            break;
        }
        a -= 1;
    }
    let hi = (e + 300).min(b.len());
    let mut z = e;
    while z < hi {
        let c = b[z];
        if c == b'\n' && (z + 1 >= b.len() || b[z + 1] == b'\n') {
            break;
        }
        if matches!(c, b'.' | b'!' | b'?' | b';')
            && (z + 1 >= b.len() || b[z + 1].is_ascii_whitespace())
        {
            z += 1;
            break;
        }
        z += 1;
    }
    (floor(text, a), ceil(text, z))
}

/// End of the paragraph starting at `from`, bounded to 400 bytes.
fn paragraph_end(text: &str, from: usize) -> usize {
    let hi = (from + 400).min(text.len());
    let end = text[from..ceil(text, hi)]
        .find("\n\n")
        .map_or(hi, |p| from + p);
    ceil(text, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_rules_compile() {
        assert!(ENGLISH.len() > 30);
        assert!(!LATIN_FOREIGN.is_empty() && !NATIVE_FOREIGN.is_empty());
        LazyLock::force(&SQUASHED);
        LazyLock::force(&AI_NOUN);
        LazyLock::force(&SOFTWARE_CONDITIONAL);
        LazyLock::force(&AUTHORITY_PAYLOAD);
        LazyLock::force(&DIRECTIVE);
        LazyLock::force(&SCOPE_AFTER);
        LazyLock::force(&DESCRIPTIVE_BEFORE);
        LazyLock::force(&TRIGGER);
        for r in latin_rules() {
            assert!(
                !r.anchors.is_empty(),
                "rule without anchors: {}",
                r.re.as_str()
            );
        }
    }
}
