package discord

import (
	"errors"
	"sync"
	"time"
)

// The first response to a slash command.
//
// Discord wants an interaction's first response within three seconds of
// the interaction; after that the user sees "The application did not
// respond" and the interaction can no longer be responded to. Answering
// takes milliseconds, but the answer waits its turn in its channel's queue
// (and for a free worker when every worker is busy): a reply ahead of it
// waiting out a 429 or retrying 5xx errors holds it up for seconds.
//
// So each slash command gets an ack, armed when it has been queued: a timer
// (Adapter.deferAfter, 1.5 s by default). Whichever comes first, the worker
// about to send the answer or the timer, owns the first response, decided
// once under the ack's mutex:
//
//   - The worker first (the usual case): it responds with the answer
//     (response type 4) as it always did, and the timer is stopped; should it
//     fire anyway, it finds the response taken and sends nothing.
//   - The timer first: its goroutine, outside the queue, sends a deferred
//     response (type 5; the user sees "… is thinking"). The worker, when it
//     gets to the question, waits for Discord to have taken the deferral,
//     then edits the deferred response into the answer's first message and
//     sends the rest as follow-ups. If the deferral failed, nothing more can
//     be sent for the interaction and the worker drops it.
//
// A deferred response's visibility is fixed when it is sent, before the
// answer, and so before anyone knows whether the answer is the ephemeral
// flood notice. It is sent visible to everyone, as nearly every answer is;
// a flood notice then replaces "thinking" in the channel, visible to all,
// a one-line cost paid only when the bot is already behind.
type ack struct {
	mu    sync.Mutex
	state ackState
	stop  func() bool   // stops the timer; nil until armed
	done  chan struct{} // closed when a deferral ends, either way
	err   error         // why the deferral failed
}

type ackState uint8

const (
	ackWaiting   ackState = iota // nothing sent yet
	ackAnswering                 // the worker owns the response: a type 4
	ackDeferring                 // the timer owns it: a type 5 is in flight
	ackDeferred                  // Discord took the type 5: the worker edits it
	ackFailed                    // the type 5 failed
)

// defaultDeferAfter is how long a slash command waits for its worker before
// a deferred response goes out. Half of Discord's three seconds is left for
// the interaction's way over the gateway before the timer starts, and for
// the deferral's own round trip after it fires.
const defaultDeferAfter = 1500 * time.Millisecond

// afterFunc arms a timer calling f after d and returns what stops it;
// time.AfterFunc by default, a hand-fired timer in tests. It must not call
// f before returning.
type afterFunc func(d time.Duration, f func()) (stop func() bool)

func realAfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

func newAck() *ack { return &ack{done: make(chan struct{})} }

// arm starts the timer: after d, unless the worker has taken the response,
// deferral is called, on the timer's goroutine, to send the deferred
// response.
func (a *ack) arm(after afterFunc, d time.Duration, deferral func() error) {
	stop := after(d, func() { a.fire(deferral) })
	a.mu.Lock()
	a.stop = stop
	taken := a.state != ackWaiting
	a.mu.Unlock()
	if taken {
		stop() // the worker was quicker than arming: free the timer
	}
}

// fire is the timer: it sends the deferred response unless the worker has
// taken the response.
func (a *ack) fire(deferral func() error) {
	a.mu.Lock()
	if a.state != ackWaiting {
		a.mu.Unlock()
		return
	}
	a.state = ackDeferring
	a.mu.Unlock()

	err := deferral()

	a.mu.Lock()
	defer a.mu.Unlock()
	a.state, a.err = ackDeferred, nil
	if err != nil {
		a.state, a.err = ackFailed, err
	}
	close(a.done)
}

// errDeferralFailed wraps the error of a deferred response that failed.
var errDeferralFailed = errors.New("the deferred response failed")

// take is called once by the worker, before it sends anything for the
// interaction. It returns false when the worker is to respond with the
// answer itself (type 4): the timer is stopped and will send nothing. It
// returns true when Discord has taken a deferred response, which the
// worker is to edit; a deferral in flight is waited for, so no edit goes
// before it. It returns an error wrapping errDeferralFailed when the
// deferral failed.
func (a *ack) take() (deferred bool, err error) {
	a.mu.Lock()
	switch a.state {
	case ackWaiting:
		a.state = ackAnswering
		stop := a.stop
		a.mu.Unlock()
		if stop != nil {
			stop()
		}
		return false, nil
	case ackAnswering:
		a.mu.Unlock()
		return false, nil
	}
	a.mu.Unlock()
	// The deferral runs under the work context and gives up at shutdown
	// like any reply, so this wait is bounded; and the worker waiting for it
	// keeps it inside shutdown's wait for the workers.
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == ackFailed {
		return false, errors.Join(errDeferralFailed, a.err)
	}
	return true, nil
}
