package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Verdict is what a Limiter decides about one question.
type Verdict int

const (
	// Allow: answer the question.
	Allow Verdict = iota
	// Notice: over the limit for the first time; send one polite notice.
	Notice
	// Drop: still over the limit and already told; send nothing.
	Drop
)

// LimitConfig is the flood control for one user: a burst of Burst questions,
// then one question every Every.
type LimitConfig struct {
	Burst int
	Every time.Duration
}

// Limiter applies flood control per user. Users idle long enough to have
// refilled their burst are forgotten, so memory stays bounded by the number
// of recently active users. A nil *Limiter allows everything. It is safe for
// concurrent use.
type Limiter struct {
	cfg LimitConfig
	now func() time.Time

	mu    sync.Mutex
	users map[string]*userLimit
	sweep time.Time
}

type userLimit struct {
	lim      *rate.Limiter
	last     time.Time
	notified bool
}

// NewLimiter returns a Limiter for cfg. A zero Every or Burst disables limiting.
func NewLimiter(cfg LimitConfig) *Limiter {
	if cfg.Every <= 0 || cfg.Burst <= 0 {
		return nil
	}
	return &Limiter{cfg: cfg, now: time.Now, users: make(map[string]*userLimit)}
}

// Check records one question from user and returns the verdict.
func (l *Limiter) Check(user string) Verdict {
	if l == nil {
		return Allow
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetIdle(now)
	u := l.users[user]
	if u == nil {
		u = &userLimit{lim: rate.NewLimiter(rate.Every(l.cfg.Every), l.cfg.Burst)}
		l.users[user] = u
	}
	u.last = now
	if u.lim.AllowN(now, 1) {
		u.notified = false
		return Allow
	}
	if u.notified {
		return Drop
	}
	u.notified = true
	return Notice
}

// forgetIdle drops users whose bucket has refilled, at most once per refill period.
func (l *Limiter) forgetIdle(now time.Time) {
	full := l.cfg.Every * time.Duration(l.cfg.Burst)
	if now.Sub(l.sweep) < full {
		return
	}
	l.sweep = now
	for k, u := range l.users {
		if now.Sub(u.last) >= full {
			delete(l.users, k)
		}
	}
}

// tracked returns how many users the limiter remembers (for tests).
func (l *Limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}
