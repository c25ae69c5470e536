// Package bot turns chat messages into questions for the QA core and the
// core's results into replies. The platform adapters (telegram, discord, and
// the terminal REPL) live in sub-packages; they share the Service here, which
// owns everything that does not depend on the platform: the length limit,
// flood control, metrics, and the wording of replies.
package bot

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/storybot/storybot/qa"
)

// Answerer is what the bots need from the QA core. *qa.Index implements it.
type Answerer interface {
	Ask(question string) (qa.Result, error)
	Sources() []qa.SourceInfo
}

// Metrics receives one event per question and per platform error.
// Implementations must be safe for concurrent use.
type Metrics interface {
	Question(platform string, outcome Kind, took time.Duration)
	PlatformError(platform, kind string)
}

// Adapter is one chat platform connection run by `storybot run`.
type Adapter interface {
	// Name is the platform name used in logs and metrics ("telegram").
	Name() string
	// Run connects and serves until ctx is cancelled, then stops taking
	// events, finishes the replies in flight and returns nil. It returns an
	// error when it cannot serve at all (a rejected token, say).
	Run(ctx context.Context) error
	// Ready reports whether the adapter is connected and serving.
	Ready() bool
}

// Kind says what sort of reply a question gets.
type Kind int

const (
	Answered Kind = iota // Reply.Answers holds the quotes, best first
	NotFound             // the articles do not say (or the core failed: Reply.Err)
	Empty                // no question in the message: show help (see Reply.Question)
	TooLong              // over the configured length
	Limited              // over the flood limit: one polite notice
	Silent               // over the flood limit, already told: send nothing
	Story                // the timeline or who's who (Reply.Story): Message words it
)

var kindNames = [...]string{"answered", "not_found", "empty", "too_long", "limited", "silent", "story"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Reply is the platform-neutral reply to one question.
type Reply struct {
	Kind Kind
	// Question is the cleaned question. For Empty it tells the two cases
	// apart: "" when the message held nothing but white space and control
	// characters, the cleaned text when it held no word ("?!").
	Question string
	Asked    string      // the question as resolved against the user's earlier ones
	Answers  []qa.Answer // for Answered
	// Err is, for NotFound, the core's error when it failed rather than
	// found nothing. Chats word both alike; scripts tell them apart.
	Err error
	// Explanation is the core's account of its answer, for a Script
	// question that asked for one (and a core that can give it).
	Explanation *qa.Explanation
	// Story is set when the question asked for the story as a whole:
	// "summary" (then Kind is Answered and Answers the summary's
	// sentences), "timeline" (Events) or "people" (People), both of Kind
	// Story.
	Story  string
	Events []qa.Event
	People []qa.Person
}

// Config holds the settings shared by every platform.
type Config struct {
	Topic       string      // what the articles are about, for help texts
	MaxQuestion int         // longest question in characters; 0 means DefaultMaxQuestion
	MaxAnswers  int         // quotes per reply; 0 means DefaultMaxAnswers
	Limit       LimitConfig // flood control per user
}

// The question and reply bounds when a Config gives none: storybot's
// configuration defaults (cmd/storybot's DefaultConfig) are these too.
const (
	DefaultMaxQuestion = 500
	DefaultMaxAnswers  = 3
)

// Service answers questions for every adapter. It is safe for concurrent use.
type Service struct {
	qa            Answerer
	limiter       *Limiter
	metrics       Metrics
	cfg           Config
	conversations *conversations
}

// NewService returns a Service over a. metrics may be nil.
func NewService(a Answerer, cfg Config, metrics Metrics) *Service {
	if cfg.MaxQuestion <= 0 {
		cfg.MaxQuestion = DefaultMaxQuestion
	}
	if cfg.MaxAnswers <= 0 {
		cfg.MaxAnswers = DefaultMaxAnswers
	}
	if metrics == nil {
		metrics = nopMetrics{}
	}
	return &Service{qa: a, limiter: NewLimiter(cfg.Limit), metrics: metrics, cfg: cfg, conversations: newConversations()}
}

// Sources lists the articles the service answers from.
func (s *Service) Sources() []qa.SourceInfo { return s.qa.Sources() }

// Metrics returns the metrics sink, for adapters to report platform errors.
func (s *Service) Metrics() Metrics { return s.metrics }

// MaxQuestion is the longest question accepted, in characters.
func (s *Service) MaxQuestion() int { return s.cfg.MaxQuestion }

// Ask answers question from user (a platform-unique user key) on platform,
// under the user's flood control and with the user's follow-up subject.
func (s *Service) Ask(platform, user, question string) Reply {
	return s.answer(platform, request{text: question, user: user, limited: true})
}

// Lookup answers question for a suggestion that posts nothing by itself,
// such as Telegram's inline results, which clients ask for as the user
// types: no flood control (nothing reaches a chat until the user picks a
// result) and no follow-up subject (the text is often half a word).
func (s *Service) Lookup(platform, question string) Reply {
	return s.answer(platform, request{text: question})
}

// ScriptQuestion is a question from a script or a measurement (storybot
// ask --json, storybot eval) rather than from a person in a chat.
type ScriptQuestion struct {
	Text string
	// Conversation names the script's conversation whose next turn the
	// question is, followed up as a chat user's questions are; "" asks it
	// on its own. Script conversations are kept apart from chat users'.
	Conversation string
	// Cut says Text is only the start of a line too long to read whole (a
	// script's line, or a paste at the REPL's prompt): the question is too
	// long, whatever Text holds.
	Cut bool
	// Explain asks the core, when it can explain, for its account of the
	// answer (Reply.Explanation). The core explains questions that stand
	// alone: with Conversation set, Explain is ignored.
	Explain bool
}

// Script answers q for a script or a measurement. The question is checked,
// cleaned and followed up exactly as Ask does it, but never flood
// controlled (a script is not a person flooding a chat, and a measurement
// must see every answer), and the reply holds every answer the core gave,
// not MaxAnswers.
func (s *Service) Script(platform string, q ScriptQuestion) Reply {
	req := request{text: q.Text, cut: q.Cut, all: true}
	if q.Conversation != "" {
		req.user = "script:" + q.Conversation
	} else {
		req.explain = q.Explain
	}
	return s.answer(platform, req)
}

// request is one question on its way through the Service.
type request struct {
	text    string
	user    string // the asker's key, whose conversation it continues; "": none
	limited bool   // under the user's flood control
	cut     bool   // text is the start of a longer line
	all     bool   // every answer, not MaxAnswers
	explain bool   // ask the core to explain
	story   string // a view of the whole story asked for by command: "summary", "timeline", "people"
}

// answer is the one path every question takes, from every surface: it
// checks the question, applies flood control, keeps the conversation, asks
// the core and counts the outcome.
func (s *Service) answer(platform string, req request) Reply {
	start := time.Now()
	r := s.reply(req)
	s.metrics.Question(platform, r.Kind, time.Since(start))
	return r
}

func (s *Service) reply(req request) Reply {
	q := Clean(req.text)
	if q == "" && !req.cut {
		return Reply{Kind: Empty}
	}
	if req.cut || utf8.RuneCountInString(q) > s.cfg.MaxQuestion {
		return Reply{Kind: TooLong, Question: q}
	}
	if req.limited && req.user != "" {
		switch s.limiter.Check(req.user) {
		case Notice:
			return Reply{Kind: Limited, Question: q}
		case Drop:
			return Reply{Kind: Silent, Question: q}
		}
	}
	if view := req.story; view != "" || !req.explain {
		if view == "" {
			view = qa.StoryKind(q)
		}
		if r, ok := s.story(view, q); ok {
			return r
		}
		if req.story != "" {
			// A command for a view the core does not give.
			return Reply{Kind: NotFound, Question: q, Story: view}
		}
	}
	var (
		res   qa.Result
		asked = q
		ex    *qa.Explanation
		err   error
	)
	if e, ok := s.qa.(explainer); ok && req.explain {
		var x qa.Explanation
		res, x, err = e.Explain(q)
		ex = &x
	} else {
		res, asked, err = s.askIn(req.user, q)
	}
	switch {
	case errors.Is(err, qa.ErrEmptyQuestion):
		return Reply{Kind: Empty, Question: q, Explanation: ex}
	case err != nil:
		return Reply{Kind: NotFound, Question: q, Err: err, Explanation: ex}
	case !res.Answered():
		// What the question was resolved to says what was looked for.
		return Reply{Kind: NotFound, Question: q, Asked: asked, Explanation: ex}
	}
	ans := res.Answers
	if !req.all && len(ans) > s.cfg.MaxAnswers {
		ans = ans[:s.cfg.MaxAnswers]
	}
	return Reply{Kind: Answered, Question: q, Asked: asked, Answers: ans, Explanation: ex}
}

// storyteller is implemented by answerers that give views of the story
// as a whole, as *qa.Index does.
type storyteller interface {
	Summary() []qa.Answer
	Timeline() []qa.Event
	People() []qa.Person
}

// StoryView answers a command that asks for a view of the whole story
// (/summary, /timeline, /who): view is "summary", "timeline" or "people".
// It is counted like a question and, for a user (not ""), under the
// user's flood control like one (a long timeline is many messages); it
// joins no conversation.
func (s *Service) StoryView(platform, user, view string) Reply {
	return s.answer(platform, request{text: view, story: view, user: user, limited: user != ""})
}

// story returns the reply for a view of the whole story, and false when
// view is none or the core gives no such view.
func (s *Service) story(view, q string) (Reply, bool) {
	st, ok := s.qa.(storyteller)
	if !ok {
		return Reply{}, false
	}
	switch view {
	case qa.StorySummary:
		if ans := st.Summary(); len(ans) > 0 {
			return Reply{Kind: Answered, Question: q, Story: view, Answers: ans}, true
		}
	case qa.StoryTimeline:
		if ev := st.Timeline(); len(ev) > 0 {
			return Reply{Kind: Story, Question: q, Story: view, Events: ev}, true
		}
	case qa.StoryPeople:
		if ps := st.People(); len(ps) > 0 {
			return Reply{Kind: Story, Question: q, Story: view, People: ps}, true
		}
	default:
		return Reply{}, false
	}
	return Reply{Kind: NotFound, Question: q, Story: view}, true
}

// explainer is implemented by answerers that say why they answered as
// they did, as *qa.Index does.
type explainer interface {
	Explain(question string) (qa.Result, qa.Explanation, error)
}

// Clean returns text with invalid UTF-8 and control characters replaced by
// spaces, format characters (Unicode Cf: zero-width space and joiners, soft
// hyphen, byte order mark, direction marks) removed, runs of white space
// folded, and the ends trimmed. Format characters are invisible: one inside a
// word ("wh\u200beat", pasted from a web page) must leave the word whole.
func Clean(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range strings.ToValidUTF8(text, " ") {
		if unicode.Is(unicode.Cf, r) {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

type nopMetrics struct{}

func (nopMetrics) Question(string, Kind, time.Duration) {}
func (nopMetrics) PlatformError(string, string)         {}
