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
	NotFound             // the articles do not say
	Empty                // no question in the message: show help
	TooLong              // over the configured length
	Limited              // over the flood limit: one polite notice
	Silent               // over the flood limit, already told: send nothing
)

var kindNames = [...]string{"answered", "not_found", "empty", "too_long", "limited", "silent"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Reply is the platform-neutral reply to one question.
type Reply struct {
	Kind     Kind
	Question string      // the cleaned question
	Asked    string      // the question as resolved against the user's earlier ones
	Answers  []qa.Answer // for Answered
}

// Config holds the settings shared by every platform.
type Config struct {
	Topic       string      // what the articles are about, for help texts
	MaxQuestion int         // longest question in characters; 0 means 500
	MaxAnswers  int         // quotes per reply; 0 means 3
	Limit       LimitConfig // flood control per user
}

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
		cfg.MaxQuestion = 500
	}
	if cfg.MaxAnswers <= 0 {
		cfg.MaxAnswers = 3
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
	start := time.Now()
	r := s.ask(user, question)
	s.metrics.Question(platform, r.Kind, time.Since(start))
	return r
}

// Lookup answers question for a suggestion that posts nothing by itself,
// such as Telegram's inline results, which clients ask for as the user
// types: no flood control (nothing reaches a chat until the user picks a
// result) and no follow-up subject (the text is often half a word).
func (s *Service) Lookup(platform, question string) Reply {
	return s.Ask(platform, "", question)
}

func (s *Service) ask(user, question string) Reply {
	q := Clean(question)
	if q == "" {
		return Reply{Kind: Empty}
	}
	if utf8.RuneCountInString(q) > s.cfg.MaxQuestion {
		return Reply{Kind: TooLong, Question: q}
	}
	if user != "" {
		switch s.limiter.Check(user) {
		case Notice:
			return Reply{Kind: Limited, Question: q}
		case Drop:
			return Reply{Kind: Silent, Question: q}
		}
	}
	res, asked, err := s.askIn(user, q)
	if errors.Is(err, qa.ErrEmptyQuestion) {
		return Reply{Kind: Empty}
	}
	if err != nil || !res.Answered() {
		return Reply{Kind: NotFound, Question: q}
	}
	ans := res.Answers
	if len(ans) > s.cfg.MaxAnswers {
		ans = ans[:s.cfg.MaxAnswers]
	}
	return Reply{Kind: Answered, Question: q, Asked: asked, Answers: ans}
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
