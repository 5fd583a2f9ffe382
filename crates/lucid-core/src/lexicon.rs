//! The curator's cue phrases as data (`lexicon.txt`, compiled in), matched in one pass.
//!
//! Each list names what its phrases mean ([`List`]); [`Cues::scan`] runs one Aho-Corasick
//! automaton over a lowercase sentence and records, per list, whether a phrase occurs at word
//! boundaries and which phrase (if any) opens the sentence. The gate in `worthiness.rs` reads
//! only [`Cues`], so changing what counts as, say, a standing marker is a data change.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// The lists of `lexicon.txt`: first those found in sentences by [`Cues::scan`], then, from
/// [`List::Evaluative`] on, those looked up ([`List::is_looked_up`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum List {
    /// `[standing]`: markers that make an instruction standing rather than about the task
    /// ("always", "from now on").
    Standing,
    /// `[remember]`: openings that ask for what follows to be remembered ("remember that",
    /// "for future reference").
    Remember,
    /// `[instruction]`: weaker markers ("remember", "make sure"): an instruction that may be for
    /// this task only.
    Instruction,
    /// `[request]`: openings of a request about the current task ("can you", "for example").
    Request,
    /// `[question]`: openings of a question, with or without "?" ("what", "how").
    Question,
    /// `[one_off]`: deictic words that tie a statement to the task at hand ("this", "those").
    OneOff,
    /// `[standing_scope]`: deictic phrases that still name something durable ("this project"), so
    /// they do not count as one-off.
    StandingScope,
    /// `[listener_choice]`: the listener's own choice ("whatever you prefer"), which shields a
    /// standing marker inside it: the speaker leaves the choice open, no rule is set.
    ListenerChoice,
    /// `[temporary]`: markers that keep a statement from ever becoming a standing memory ("for
    /// now", "while we debug").
    Temporary,
    /// `[change]`: a person announcing a new value ("switched to", "updated to"), which can replace
    /// an older one.
    Change,
    /// `[decision]`: a person stating how the project does things ("we use", "we decided").
    Decision,
    /// `[reporting]`: verbs that report what someone else said ("said", "told"): an account of
    /// events, not a rule.
    Reporting,
    /// `[first_person_state]`: first-person openings that describe the speaker ("I'm", "I have").
    FirstPersonState,
    /// `[failure]`: words with which tool output, a linter or a harness reports that something went
    /// wrong ("error", "failed").
    Failure,
    /// `[retired]`: a tool, service or library being retired, named right after the phrase
    /// ("dropping", "no longer use").
    Retired,
    /// `[departed]`: someone who left, named right before the phrase ("has left the company").
    Departed,
    /// `[guarded]`: prohibitions that protect something ("don't touch", "do not lose"): standing
    /// when they name what they protect.
    Guarded,
    /// `[declined]`: a person declining or stopping a tool call ("the user doesn't want to
    /// proceed"): not a failure of the tool.
    Declined,
    /// `[missing_target]`: errors that say the file or path a command named is not there.
    MissingTarget,
    /// `[universal]`: quantifiers that make an instruction a rule for every case ("for any",
    /// "for every").
    Universal,
    /// `[retired_before]`: a tool or service that is gone, named right before the phrase
    /// ("Heroku is no longer in use").
    RetiredBefore,
    /// `[retired_anymore]`: the end of a use when "anymore" follows the name ("we shouldn't use
    /// cuFFT anymore").
    RetiredAnymore,
    /// `[describing]`: openings of a description of someone or something ("they", "you",
    /// "thanks"), not a rule.
    Describing,
    /// `[encouragement]`: cheering someone on ("keep up the great work", "never give up").
    Encouragement,
    /// `[finding]`: how an agent states a cause or a behaviour it found ("because", "turns out",
    /// "does not", "by default"): with an identifier, a line for the model pass to read.
    Finding,
    /// `[hedge]`: words with which a speaker says they are not sure ("maybe", "I guess", "it
    /// seems"): a hedged statement is no fact to remember.
    Hedge,
    /// `[measured_movement]`: a number that moved ("went up to", "went down to"), which may be a
    /// value someone set or a measurement that moved by itself.
    MeasuredMovement,
    /// `[event_moment]`: a moment of the work's history ("yesterday", "after the deploy"): after
    /// a [`List::MeasuredMovement`], the number is a measurement then, not a value set.
    EventMoment,
    /// `[process_request]`: verbs asking the agent to work on text the person hands over
    /// ("categorize", "summarize", "proofread").
    ProcessRequest,
    /// `[material]`: what a person hands over to be worked on ("feedback", "notes", "the
    /// following").
    Material,
    /// `[evaluative]`: words of praise or feeling that make "X is always …" an opinion.
    Evaluative,
    /// `[evaluative_filler]`: the small words between words of praise ("a", "so", "the").
    EvaluativeFiller,
    /// `[past_tense]`: irregular past tenses; "always"/"never" before one narrates.
    PastTense,
    /// `[answer_particle]`: an answer's first word before a comma ("yeah", "no").
    AnswerParticle,
    /// `[repeat_opener]`: openers with which a person repeats themselves ("again", "as I said").
    RepeatOpener,
    /// `[describing_subject]`: a person or a thing as the subject of "always"/"never" ("they
    /// always", "she's never"): a habit described, not a rule.
    DescribingSubject,
    /// `[goal]`: nouns that make a statement's subject the work's goal ("your task is to …").
    Goal,
    /// `[warning]`: warnings that say a guarded prohibition ("be careful not to lose …").
    Warning,
    /// `[extraposed]`: extraposed openings of a rule ("it's important to …"), stripped before the
    /// rule is read.
    Extraposed,
    /// `[reflection]`: what follows an extraposed opening in a reflection rather than a rule
    /// ("… to remember that progress takes time").
    Reflection,
    /// `[planned]`: modals after "in the future" that plan rather than scope a rule ("in the
    /// future we may …").
    Planned,
    /// `[wish]`: openings with which the speaker wishes for how to work ("I want …").
    Wish,
    /// `[dangling]`: words a sentence cannot end with ("the", "and", "to"): a fragment.
    Dangling,
    /// `[particle_taker]`: words after which a final "on"/"in" is a particle ("log in", "from
    /// now on"), not a dangling preposition.
    ParticleTaker,
    /// `[stranding_subject]`: pronouns that open a relative clause whose verb strands a final
    /// preposition ("tasks we have worked on").
    StrandingSubject,
    /// `[preposition]`: prepositions a relative clause may strand, or that point before "that".
    Preposition,
    /// `[whole_project]`: nouns for the whole of what is built ("the toolchain", "the
    /// codebase"), which name no part of it a new version could be for.
    WholeProject,
    /// `[auxiliary]`: auxiliaries between such a subject and its verb ("have", "'ll").
    Auxiliary,
    /// `[vague]`: stems of words that name nothing to act on ("thing", "stuff").
    Vague,
    /// `[directive_filler]`: words of an instruction that name neither a kind of memory nor a topic
    /// ("user", "lesson", "whatever").
    DirectiveFiller,
    /// `[extent]`: adverbs that say how much to drop, not what ("entirely").
    Extent,
    /// `[ignore_verb]`: verbs of an instruction that drops what follows ("ignore", "leave out").
    IgnoreVerb,
    /// `[focus_verb]`: verbs of an instruction that keeps what follows first ("focus on").
    FocusVerb,
    /// `[passive_ignore]`: passive ignoring after its object ("should be ignored").
    PassiveIgnore,
    /// `[progressive_change_verb]`: change verbs in the "-ing" form ("we're migrating auth to
    /// Supabase").
    ProgressiveChangeVerb,
    /// `[change_verb]`: verbs that announce a new value when "… to X" follows ("renamed", "bumped").
    ChangeVerb,
    /// `[move_verb]`: change verbs that take what changed somewhere else ("moved", "migrated"):
    /// the new value is a place, after "to" or "in" in the items it updates.
    MoveVerb,
    /// `[tool_verb]`: words right before a name that use it as a tool ("use", "run", "via",
    /// "by"): "Use npm for installs", "… by running the agent-intercom-ctl CLI".
    ToolVerb,
    /// `[tool_slot]`: words after which an item names the one tool it relies on ("use", "on",
    /// "with"), the tool a "we're migrating auth to Supabase" replaces.
    ToolSlot,
    /// `[environment]`: names of deployment environments ("staging", "prod"): another subject,
    /// never a tool.
    Environment,
    /// `[check_program]`: programs that check work (`pytest`, `tsc`, `ruff`).
    CheckProgram,
    /// `[check_task]`: what a task runner is told to do when it checks work (`test`, `lint`).
    CheckTask,
    /// `[task_runner]`: programs that run a project's tasks (`npm`, `cargo`, `make`).
    TaskRunner,
    /// `[known_tool]`: developer tools whose lower-case name is a tool wherever a tool goes
    /// ("Format the code with black", "Install packages with npm").
    KnownTool,
    /// `[head_noun]`: generic nouns after a retired name that say what it is ("pipeline").
    HeadNoun,
    /// `[stopword]`: function words and light verbs that carry no topic ("a", "always", "should").
    Stopword,
    /// `[negation]`: words that flip a statement's meaning ("never", "don't", "avoid").
    Negation,
    /// `[modal_lead_in]`: phrases that open a rule without adding to it ("as a rule", "you
    /// should"), in the order they are tried.
    ModalLeadIn,
    /// `[emphasis_idiom]`: phrases that hold a negation word without negating ("no exceptions").
    EmphasisIdiom,
    /// `[negative_verb]`: verbs that make a negated rule positive ("never skip X").
    NegativeVerb,
    /// `[keeping]`: verbs that keep something "out of" a place ("keep", "stays").
    Keeping,
    /// `[temporal]`: words that situate a statement in time, not its subject ("now", "previous").
    Temporal,
    /// `[lead_in]`: lead-ins that announce a statement ("heads up", "fyi", "note that").
    LeadIn,
    /// `[verb_lead_in]`: lead-ins that may be a sentence's own verb ("update", "note").
    VerbLeadIn,
    /// `[announcing_verb]`: past-tense verbs that open a change of value ("switched", "moved").
    AnnouncingVerb,
    /// `[frame_filler]`: words left out of a sentence's frame ("now", "anymore").
    FrameFiller,
    /// `[small_talk]`: words of greetings and reactions ("thanks", "wow"); a sentence of only these
    /// is small talk.
    SmallTalk,
    /// `[concluding]`: words of a step that ships or confirms the work ("push", "deploy"); the
    /// checks are `[check_program]` and `[check_task]`.
    Concluding,
    /// `[question_aux]`: words that, right before "we", ask or ask to check rather than state
    /// ("can't we use …", "ensure we are using …").
    QuestionAux,
    /// `[problem_opening]`: openings of a problem's description ("Problem:", "the issue is").
    ProblemOpening,
    /// `[quoted_material]`: what a person introduces as someone else's words to answer or
    /// review ("the note below:", "the following review comment:").
    QuotedMaterial,
    /// `[future_work]`: what "in future …" may name and still mean every later time the
    /// agent works ("in future sessions", "in future code").
    FutureWork,
    /// `[purpose_lead_in]`: what opens a purpose clause ("to prevent", "so that"): a future
    /// inside it is the purpose's, not a rule's scope.
    PurposeLeadIn,
    /// `[deletion_request]`: a person asking for something to be deleted ("delete", "get rid
    /// of"): a plain `rm` of what they named is then meant to last.
    DeletionRequest,
    /// `[prohibited_use]`: a named tool prohibited ("never use", "do not run"): items that
    /// use it contradict the prohibition. Looked up: "never use" must not hide the "never" a
    /// scan finds.
    ProhibitedUse,
    /// `[waiver]`: phrases that lift a rule ("you don't need to", "no need to"): "No need to ask
    /// before running migrations" says the opposite of "Ask before running migrations".
    Waiver,
    /// `[project_wide]`: how a sentence says a version is the whole project's ("we're on" in
    /// "We're on PostgreSQL 16 now"): it names no part of the project, so every item naming
    /// the product takes the new version.
    ProjectWide,
    /// `[rule_cue]`: words with which an error states the rule a call broke ("must", "only
    /// accepts", "expected"): the fix it names is prescribed, not guessed.
    RuleCue,
    /// `[verdict]`: verdicts on the work ("fine", "fixed") that a closing "now" does not turn
    /// into a new value ("Tables are good now").
    Verdict,
    /// `[object_gap]`: words after "we use" that show its object came before it, in a relative
    /// clause ("the gradient we use in the shell segment").
    ObjectGap,
    /// `[cataphoric]`: what a short lead-in ends with when it points past its colon ("one more
    /// thing: …").
    Cataphoric,
    /// `[contrast]`: change cues that only contrast two ways ("rather than", "instead"): they
    /// announce no new value of their own.
    Contrast,
    /// `[ceasing]`: verbs that end an activity ("stop using yarn" says "not using yarn").
    Ceasing,
    /// `[narration]`: openings of a sentence in which an agent narrates its next step ("Let me
    /// read the file", "Now I'll run the build"): left out of episodes of agent sessions.
    Narration,
    /// `[failure_subject]`: what an error names as having failed ("hook", "command", "exit
    /// code"): an error of only these and failure words says nothing of what went wrong.
    FailureSubject,
    /// `[project_role]`: roles a tool fills for the whole project ("package manager",
    /// "testing"): "Use uv as the package manager" is a lasting decision.
    ProjectRole,
    /// `[undergoing_verb]`: verbs of what happens to the speaker ("see", "get"): "I don't want
    /// to see that error anymore" is a complaint, not a practice ended.
    UndergoingVerb,
    /// `[shipping]`: words of a step that hands the work on ("push", "deploy", "pr"); an edit
    /// after one starts the next piece of work.
    Shipping,
    /// `[agent_subject]`: first words of an agent's sentence about itself or its next step ("I",
    /// "we'll", "next"): a report of its work, not a finding about the world.
    AgentSubject,
    /// `[retraction]`: how a person takes back what they said ("scratch that", "never mind",
    /// "forget what I said about …"): the statements it takes back are not kept.
    Retraction,
    /// `[effective_from]`: words that say from when a change holds, before the moment they name
    /// ("starting" this quarter, "as of" today): `text::takes_effect` reads the moment.
    EffectiveFrom,
    /// `[task_label]`: labels that open the statement of a task ("Task:", "Goal:", "Objective:"):
    /// what follows is the work at hand, not a rule or a fact to remember.
    TaskLabel,
    /// `[clause_request]`: request verbs that take a clause or a noun and a verb ("Check tests
    /// are green", "Make sure builds pass", "Let jobs run"): they ask whatever follows.
    ClauseRequest,
    /// `[object_opening]`: words that open a request verb's object or complement ("Test the …",
    /// "Build it", "Deploy to …"): after them the verb asks, it qualifies no noun.
    ObjectOpening,
    /// `[subject_verb]`: finite verbs that, after a request word and a noun, make the opening a
    /// noun phrase ("Build times are …", "Test database listens on …").
    SubjectVerb,
    /// `[protective_refusal]`: what a tool says when it refuses an action to protect something
    /// ("Refusing to write to sensitive system path", "blocked by policy"): going around it with
    /// another tool is no workaround to recommend.
    ProtectiveRefusal,
    /// `[permission_refusal]`: what the system says when it refuses a call permission
    /// ("Operation not permitted", "EACCES"), matched anywhere in an error.
    PermissionRefusal,
    /// `[error_heading]`: headings that title an error report ("## Error Message", "## Code
    /// Frame"): the prose under them was copied from the error, not written by the person.
    ErrorHeading,
    /// `[agent_address]`: how a brief addresses the agent it is for ("You are …", "Your job
    /// …"): two such sentences under headings make a prompt document.
    AgentAddress,
    /// `[prohibition]`: how a prohibition is worded ("do not", "never", "must not").
    Prohibition,
    /// `[now_after_non_change]`: words before "now" that keep it from announcing a change
    /// ("right now", "for now", "should now").
    NowAfterNonChange,
    /// `[now_before_moment]`: words after "now" that say when, not what changed ("now at 9",
    /// "now after a restart").
    NowBeforeMoment,
    /// `[event_wait]`: openings of a clause that waits on an event ("once", "as soon as").
    EventWait,
    /// `[gone]`: words with which a fact says that what it names is gone ("removed", "no
    /// longer").
    Gone,
    /// `[pointer_opening]`: openings of a sentence that only points to where to read more
    /// ("Visit …", "See … for details").
    PointerOpening,
    /// `[plural_noun_verb]`: verbs after "reports"/"claims" that make it a plural noun.
    PluralNounVerb,
    /// `[plural_noun_qualifier]`: words before "reports"/"claims" that make it a noun.
    PluralNounQualifier,
    /// `[exit_status]`: the words of an exit status ("Process exited with code 1"), which say
    /// nothing of what went wrong.
    ExitStatus,
    /// `[look_subcommand]`: subcommands that only look (`logs`, `status`, `show`): run in place
    /// of a failed command, they read why it failed.
    LookSubcommand,
    /// `[edit_verb]`: verbs of editing ("change", "touch", "rename"): "do not" with one, after a
    /// request, fences that edit.
    EditVerb,
    /// `[error_tally]`: how a build counts the errors it printed before ("due to 2 previous
    /// errors", "errors generated"): such a line says only that it failed.
    ErrorTally,
    /// `[transient]`: passing faults of the network or a service ("the remote end hung up",
    /// "503 Service Unavailable"), which trying again answers.
    Transient,
    /// `[period]`: spans of time a change can start at after "this" or "next" ("starting this
    /// quarter"): `text::takes_effect`.
    Period,
    /// `[kind_pitfall]`: words that name pitfalls in instructions ("tool quirks").
    KindPitfall,
    /// `[kind_workflow]`: words that name workflows in instructions ("deploy procedures").
    KindWorkflow,
    /// `[kind_preference]`: words that name preferences and rules in instructions.
    KindPreference,
    /// `[kind_fact]`: words that name facts and decisions in instructions.
    KindFact,
    /// `[kind_insight]`: words that name insights in instructions.
    KindInsight,
    /// `[kind_temporary]`: words that name temporary notes in instructions ("one-off debugging").
    KindTemporary,
    /// `[set_limit]`: words that name a limit someone sets ("max", "quota", "timeout").
    SetLimit,
    /// `[pronoun_that_lead]`: words after which "… that" after a verb ends a sentence with "that" as
    /// its object ("please remember that", "we agreed on that").
    PronounThatLead,
    /// `[rule_subject]`: words around "always"/"never" that make it a rule of how to work
    /// rather than how a thing behaves ("we always", "tests should always", "our CI never").
    RuleSubject,
    /// `[retraction_taking_object]`: retraction cues that name what they take back right after
    /// them ("never mind the German commit messages").
    RetractionTakingObject,
    /// `[work_state]`: words that say how the work stands ("green", "fixed", "faster"), not a
    /// value of a subject.
    WorkState,
    /// `[not_a_tool]`: words after "with"/"using" that name no tool ("with care", "with
    /// it").
    NotATool,
    /// `[perception_verb]`: verbs of how something strikes the speaker ("looks", "sounds").
    PerceptionVerb,
    /// `[impression_filler]`: degree and joining words inside an impression ("both", "very").
    ImpressionFiller,
    /// `[next_step_verb]`: verbs after "going to" that plan the next steps of the work ("start",
    /// "wrap").
    NextStepVerb,
    /// `[example_opening]`: openings of an illustration ("for example,").
    ExampleOpening,
}

impl List {
    /// Every list, in declaration order: scanned lists first, then looked-up ones (a test checks
    /// each is declared in `lexicon.txt` and not empty, and sits at its own index).
    pub const ALL: [List; 139] = [
        List::Standing,
        List::Remember,
        List::Instruction,
        List::Request,
        List::Question,
        List::OneOff,
        List::StandingScope,
        List::ListenerChoice,
        List::Temporary,
        List::Change,
        List::Decision,
        List::Reporting,
        List::FirstPersonState,
        List::Failure,
        List::Retired,
        List::Departed,
        List::Guarded,
        List::Declined,
        List::MissingTarget,
        List::Universal,
        List::RetiredBefore,
        List::RetiredAnymore,
        List::Describing,
        List::Encouragement,
        List::Finding,
        List::Hedge,
        List::MeasuredMovement,
        List::EventMoment,
        List::ProcessRequest,
        List::Material,
        List::Evaluative,
        List::EvaluativeFiller,
        List::PastTense,
        List::AnswerParticle,
        List::RepeatOpener,
        List::DescribingSubject,
        List::Goal,
        List::Warning,
        List::Extraposed,
        List::Reflection,
        List::Planned,
        List::Wish,
        List::Dangling,
        List::ParticleTaker,
        List::StrandingSubject,
        List::Preposition,
        List::WholeProject,
        List::Auxiliary,
        List::Vague,
        List::DirectiveFiller,
        List::Extent,
        List::IgnoreVerb,
        List::FocusVerb,
        List::PassiveIgnore,
        List::ProgressiveChangeVerb,
        List::ChangeVerb,
        List::MoveVerb,
        List::ToolVerb,
        List::ToolSlot,
        List::Environment,
        List::CheckProgram,
        List::CheckTask,
        List::TaskRunner,
        List::KnownTool,
        List::HeadNoun,
        List::Stopword,
        List::Negation,
        List::ModalLeadIn,
        List::EmphasisIdiom,
        List::NegativeVerb,
        List::Keeping,
        List::Temporal,
        List::LeadIn,
        List::VerbLeadIn,
        List::AnnouncingVerb,
        List::FrameFiller,
        List::SmallTalk,
        List::Concluding,
        List::QuestionAux,
        List::ProblemOpening,
        List::QuotedMaterial,
        List::FutureWork,
        List::PurposeLeadIn,
        List::DeletionRequest,
        List::ProhibitedUse,
        List::Waiver,
        List::ProjectWide,
        List::RuleCue,
        List::Verdict,
        List::ObjectGap,
        List::Cataphoric,
        List::Contrast,
        List::Ceasing,
        List::Narration,
        List::FailureSubject,
        List::ProjectRole,
        List::UndergoingVerb,
        List::Shipping,
        List::AgentSubject,
        List::Retraction,
        List::EffectiveFrom,
        List::TaskLabel,
        List::ClauseRequest,
        List::ObjectOpening,
        List::SubjectVerb,
        List::ProtectiveRefusal,
        List::PermissionRefusal,
        List::ErrorHeading,
        List::AgentAddress,
        List::Prohibition,
        List::NowAfterNonChange,
        List::NowBeforeMoment,
        List::EventWait,
        List::Gone,
        List::PointerOpening,
        List::PluralNounVerb,
        List::PluralNounQualifier,
        List::ExitStatus,
        List::LookSubcommand,
        List::EditVerb,
        List::ErrorTally,
        List::Transient,
        List::Period,
        List::KindPitfall,
        List::KindWorkflow,
        List::KindPreference,
        List::KindFact,
        List::KindInsight,
        List::KindTemporary,
        List::SetLimit,
        List::PronounThatLead,
        List::RuleSubject,
        List::RetractionTakingObject,
        List::WorkState,
        List::NotATool,
        List::PerceptionVerb,
        List::ImpressionFiller,
        List::NextStepVerb,
        List::ExampleOpening,
    ];

    fn from_name(name: &str) -> Option<List> {
        Some(match name {
            "standing" => List::Standing,
            "remember" => List::Remember,
            "instruction" => List::Instruction,
            "request" => List::Request,
            "question" => List::Question,
            "one_off" => List::OneOff,
            "standing_scope" => List::StandingScope,
            "listener_choice" => List::ListenerChoice,
            "temporary" => List::Temporary,
            "change" => List::Change,
            "decision" => List::Decision,
            "reporting" => List::Reporting,
            "first_person_state" => List::FirstPersonState,
            "failure" => List::Failure,
            "retired" => List::Retired,
            "departed" => List::Departed,
            "guarded" => List::Guarded,
            "declined" => List::Declined,
            "missing_target" => List::MissingTarget,
            "universal" => List::Universal,
            "retired_before" => List::RetiredBefore,
            "retired_anymore" => List::RetiredAnymore,
            "prohibited_use" => List::ProhibitedUse,
            "waiver" => List::Waiver,
            "project_wide" => List::ProjectWide,
            "describing" => List::Describing,
            "encouragement" => List::Encouragement,
            "finding" => List::Finding,
            "evaluative" => List::Evaluative,
            "evaluative_filler" => List::EvaluativeFiller,
            "past_tense" => List::PastTense,
            "answer_particle" => List::AnswerParticle,
            "repeat_opener" => List::RepeatOpener,
            "describing_subject" => List::DescribingSubject,
            "goal" => List::Goal,
            "warning" => List::Warning,
            "extraposed" => List::Extraposed,
            "reflection" => List::Reflection,
            "planned" => List::Planned,
            "wish" => List::Wish,
            "dangling" => List::Dangling,
            "particle_taker" => List::ParticleTaker,
            "stranding_subject" => List::StrandingSubject,
            "preposition" => List::Preposition,
            "whole_project" => List::WholeProject,
            "auxiliary" => List::Auxiliary,
            "vague" => List::Vague,
            "directive_filler" => List::DirectiveFiller,
            "extent" => List::Extent,
            "ignore_verb" => List::IgnoreVerb,
            "focus_verb" => List::FocusVerb,
            "passive_ignore" => List::PassiveIgnore,
            "progressive_change_verb" => List::ProgressiveChangeVerb,
            "change_verb" => List::ChangeVerb,
            "move_verb" => List::MoveVerb,
            "tool_verb" => List::ToolVerb,
            "tool_slot" => List::ToolSlot,
            "environment" => List::Environment,
            "check_program" => List::CheckProgram,
            "check_task" => List::CheckTask,
            "task_runner" => List::TaskRunner,
            "known_tool" => List::KnownTool,
            "process_request" => List::ProcessRequest,
            "material" => List::Material,
            "head_noun" => List::HeadNoun,
            "stopword" => List::Stopword,
            "negation" => List::Negation,
            "modal_lead_in" => List::ModalLeadIn,
            "emphasis_idiom" => List::EmphasisIdiom,
            "negative_verb" => List::NegativeVerb,
            "keeping" => List::Keeping,
            "temporal" => List::Temporal,
            "lead_in" => List::LeadIn,
            "verb_lead_in" => List::VerbLeadIn,
            "announcing_verb" => List::AnnouncingVerb,
            "frame_filler" => List::FrameFiller,
            "small_talk" => List::SmallTalk,
            "concluding" => List::Concluding,
            "hedge" => List::Hedge,
            "measured_movement" => List::MeasuredMovement,
            "event_moment" => List::EventMoment,
            "question_aux" => List::QuestionAux,
            "problem_opening" => List::ProblemOpening,
            "quoted_material" => List::QuotedMaterial,
            "future_work" => List::FutureWork,
            "purpose_lead_in" => List::PurposeLeadIn,
            "deletion_request" => List::DeletionRequest,
            "rule_cue" => List::RuleCue,
            "verdict" => List::Verdict,
            "object_gap" => List::ObjectGap,
            "cataphoric" => List::Cataphoric,
            "contrast" => List::Contrast,
            "ceasing" => List::Ceasing,
            "narration" => List::Narration,
            "failure_subject" => List::FailureSubject,
            "project_role" => List::ProjectRole,
            "undergoing_verb" => List::UndergoingVerb,
            "shipping" => List::Shipping,
            "agent_subject" => List::AgentSubject,
            "retraction" => List::Retraction,
            "effective_from" => List::EffectiveFrom,
            "task_label" => List::TaskLabel,
            "clause_request" => List::ClauseRequest,
            "object_opening" => List::ObjectOpening,
            "subject_verb" => List::SubjectVerb,
            "protective_refusal" => List::ProtectiveRefusal,
            "permission_refusal" => List::PermissionRefusal,
            "error_heading" => List::ErrorHeading,
            "agent_address" => List::AgentAddress,
            "prohibition" => List::Prohibition,
            "now_after_non_change" => List::NowAfterNonChange,
            "now_before_moment" => List::NowBeforeMoment,
            "event_wait" => List::EventWait,
            "gone" => List::Gone,
            "pointer_opening" => List::PointerOpening,
            "plural_noun_verb" => List::PluralNounVerb,
            "plural_noun_qualifier" => List::PluralNounQualifier,
            "exit_status" => List::ExitStatus,
            "look_subcommand" => List::LookSubcommand,
            "edit_verb" => List::EditVerb,
            "error_tally" => List::ErrorTally,
            "transient" => List::Transient,
            "period" => List::Period,
            "kind_pitfall" => List::KindPitfall,
            "kind_workflow" => List::KindWorkflow,
            "kind_preference" => List::KindPreference,
            "kind_fact" => List::KindFact,
            "kind_insight" => List::KindInsight,
            "kind_temporary" => List::KindTemporary,
            "set_limit" => List::SetLimit,
            "pronoun_that_lead" => List::PronounThatLead,
            "rule_subject" => List::RuleSubject,
            "retraction_taking_object" => List::RetractionTakingObject,
            "work_state" => List::WorkState,
            "not_a_tool" => List::NotATool,
            "perception_verb" => List::PerceptionVerb,
            "impression_filler" => List::ImpressionFiller,
            "next_step_verb" => List::NextStepVerb,
            "example_opening" => List::ExampleOpening,
            _ => return None,
        })
    }

    /// Whether callers look this list up ([`is_word_of`], [`opening`], [`words`]) rather than
    /// [`Cues::scan`] finding it: such lists hold words as common as "the" and "a", which would
    /// make every sentence's scan longer for nothing, or phrases that only count in one place of
    /// a sentence (its opening, its last word). They are declared from [`List::Evaluative`] on.
    pub fn is_looked_up(self) -> bool {
        self >= List::Evaluative
    }

    /// The list's bit in a sentence's set of scanned lists. Looked-up lists past the 64th have
    /// none (they are never scanned, so never in a set).
    fn bit(self) -> u64 {
        1u64.checked_shl(self as u32).unwrap_or(0)
    }
}

struct Lexicon {
    automaton: AhoCorasick,
    /// For each pattern: its text and the lists it belongs to (a bit set).
    patterns: Vec<(String, u64)>,
    /// The lists that are looked up rather than found in sentences ([`List::is_looked_up`]), indexed by
    /// [`List`] (`None` for a scanned list).
    unscanned: Vec<Option<WordList>>,
}

/// A looked-up list: its phrases in the order of `lexicon.txt`, and as a set for lookups.
#[derive(Default)]
struct WordList {
    ordered: Vec<String>,
    set: std::collections::HashSet<String>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| build(include_str!("lexicon.txt")));

fn build(source: &str) -> Lexicon {
    let mut patterns: Vec<(String, u64)> = Vec::new();
    let mut unscanned: Vec<Option<WordList>> = List::ALL
        .iter()
        .map(|list| list.is_looked_up().then(WordList::default))
        .collect();
    let mut current: Option<List> = None;
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = List::from_name(name);
            continue;
        }
        let Some(list) = current else { continue };
        if let Some(Some(words)) = unscanned.get_mut(list as usize) {
            if words.set.insert(line.to_string()) {
                words.ordered.push(line.to_string());
            }
            continue;
        }
        // A guarded prohibition ("don't touch") is an instruction too: as the longest phrase
        // opening a sentence it must not hide the "don't" it starts with.
        let bits = match list {
            List::Guarded => list.bit() | List::Instruction.bit(),
            _ => list.bit(),
        };
        match patterns.iter_mut().find(|(p, _)| p == line) {
            Some((_, lists)) => *lists |= bits,
            None => patterns.push((line.to_string(), bits)),
        }
    }
    #[expect(
        clippy::expect_used,
        reason = "built from the lexicon compiled into the binary, not from input"
    )]
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(patterns.iter().map(|(p, _)| p.as_str()))
        .expect("the lexicon's phrases are plain strings and always build an automaton");
    Lexicon {
        automaton,
        patterns,
        unscanned,
    }
}

/// What the lexicon found in one sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cues {
    /// Lists with a phrase anywhere in the sentence (bit per [`List`]).
    found: u64,
    /// The lists of the longest phrase that opens the sentence.
    opening: u64,
    /// Every matched phrase with its byte offset, in order.
    pub matches: Vec<(usize, &'static str, u64)>,
}

impl Cues {
    /// Scans a lowercase sentence. Phrases only count at word boundaries.
    pub fn scan(lower: &str) -> Cues {
        let lexicon = &*LEXICON;
        let mut cues = Cues::default();
        let mut opening_len = 0;
        let start = lower.len() - lower.trim_start().len();
        for found in lexicon.automaton.find_overlapping_iter(lower) {
            let (begin, end) = (found.start(), found.end());
            let before_ok = lower[..begin]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '\'');
            // A hyphen continues a word: "always" in "Always-PR flow" is part of a name.
            let after_ok = lower[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && !matches!(c, '_' | '\'' | '-'));
            if !before_ok || !after_ok {
                continue;
            }
            let (phrase, lists) = &lexicon.patterns[found.pattern().as_usize()];
            cues.found |= lists;
            if begin == start && end - begin > opening_len {
                opening_len = end - begin;
                cues.opening = *lists;
            }
            cues.matches.push((begin, phrase.as_str(), *lists));
        }
        cues.matches
            .sort_by_key(|(at, phrase, _)| (*at, std::cmp::Reverse(phrase.len())));
        cues
    }

    /// Takes the opening phrase from another scan (of the same sentence without its lead-in).
    pub fn set_opening_from(&mut self, other: &Cues) {
        self.opening = other.opening;
    }

    /// Whether a phrase of `list` occurs.
    pub fn has(&self, list: List) -> bool {
        self.found & list.bit() != 0
    }

    /// Whether the sentence opens with a phrase of `list` (the longest opening phrase decides:
    /// "make sure" is an instruction even though "make" opens requests).
    pub fn opens_with(&self, list: List) -> bool {
        self.opening & list.bit() != 0
    }

    /// The phrases of `list` found, in order.
    pub fn phrases(&self, list: List) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.matches
            .iter()
            .filter(move |(_, _, lists)| lists & list.bit() != 0)
            .map(|(at, phrase, _)| (*at, *phrase))
    }

    /// The phrases of `list` that occur outside the spans of phrases of `except` (e.g. "this"
    /// outside "this project").
    pub fn outside(
        &self,
        list: List,
        except: List,
    ) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        let shields: Vec<(usize, usize)> = self
            .phrases(except)
            .map(|(at, phrase)| (at, at + phrase.len()))
            .collect();
        self.phrases(list).filter(move |&(at, phrase)| {
            let end = at + phrase.len();
            !shields.iter().any(|&(s, e)| s <= at && end <= e)
        })
    }
}

/// Whether `word` (lowercase) is one of a word list's (the lists looked up, not scanned: "fun" in
/// `[evaluative]`, "had" in `[past_tense]`); always false for a list found by [`Cues::scan`].
pub fn is_word_of(list: List, word: &str) -> bool {
    matches!(LEXICON.unscanned.get(list as usize), Some(Some(words)) if words.set.contains(word))
}

/// The phrases of a looked-up list, in the order of `lexicon.txt` (empty for a list found by
/// [`Cues::scan`]).
pub fn words(list: List) -> &'static [String] {
    match LEXICON.unscanned.get(list as usize) {
        Some(Some(words)) => &words.ordered,
        _ => &[],
    }
}

/// The longest phrase of a looked-up list that a lowercase text opens with, at a word boundary:
/// "be careful not to" opens "be careful not to lose my data", not "be careful not tomorrow".
pub fn opening(list: List, lower: &str) -> Option<&'static str> {
    words(list)
        .iter()
        .filter(|phrase| {
            lower.strip_prefix(phrase.as_str()).is_some_and(|rest| {
                rest.chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && !matches!(c, '_' | '\'' | '’'))
            })
        })
        .max_by_key(|phrase| phrase.len())
        .map(String::as_str)
}

/// Every list's phrases, for documentation and tests.
pub fn phrases_of(list: List) -> Vec<&'static str> {
    if list.is_looked_up() {
        return words(list).iter().map(String::as_str).collect();
    }
    LEXICON
        .patterns
        .iter()
        .filter(|(_, lists)| lists & list.bit() != 0)
        .map(|(p, _)| p.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_declared_and_non_empty() {
        for list in List::ALL {
            assert!(!phrases_of(list).is_empty(), "{list:?} is empty");
        }
    }

    #[test]
    fn every_list_has_a_bit_of_its_own() {
        // The scanned lists a sentence has are a bit set of 64; looked-up lists need no bit.
        for list in List::ALL.iter().filter(|list| !list.is_looked_up()) {
            assert!((*list as u32) < 64, "{list:?} has no bit");
            assert_ne!(list.bit(), 0, "{list:?}");
        }
    }

    #[test]
    fn every_list_sits_at_its_own_index() {
        // Looked-up lists are stored by `list as usize`, built in the order of `List::ALL`.
        for (at, list) in List::ALL.iter().enumerate() {
            assert_eq!(*list as usize, at, "{list:?}");
        }
    }

    #[test]
    fn phrases_match_at_word_boundaries_only() {
        let cues = Cues::scan("always run the tests; nevertheless it works");
        assert!(cues.has(List::Standing));
        assert_eq!(cues.phrases(List::Standing).count(), 1, "{cues:?}");
        assert!(!Cues::scan("it's hallways all the way").has(List::Standing));
    }

    #[test]
    fn the_longest_opening_phrase_decides() {
        let cues = Cues::scan("make sure to run the linter");
        assert!(cues.opens_with(List::Instruction));
        assert!(!cues.opens_with(List::Request));
        assert!(Cues::scan("make the button blue").opens_with(List::Request));
    }

    #[test]
    fn a_looked_up_opening_ends_at_a_word_boundary() {
        assert_eq!(
            opening(List::Warning, "be careful not to lose my data"),
            Some("be careful not to")
        );
        assert_eq!(opening(List::Warning, "be careful not tomorrow"), None);
        // The longest phrase wins, whatever the file's order.
        assert_eq!(
            opening(List::Warning, "make sure you don't drop the table"),
            Some("make sure you don't")
        );
        assert!(!Cues::scan("be careful not to lose my data").has(List::Warning));
    }

    #[test]
    fn scoped_deictics_are_shielded() {
        let cues = Cues::scan("never commit generated files in this repo");
        assert_eq!(cues.outside(List::OneOff, List::StandingScope).count(), 0);
        let cues = Cues::scan("never commit this file");
        assert_eq!(
            cues.outside(List::OneOff, List::StandingScope)
                .map(|(_, phrase)| phrase)
                .collect::<Vec<_>>(),
            ["this file", "this"]
        );
    }
}
