package discord

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// The ack's races, on synctest's fake clock: synctest.Wait returns once
// every goroutine of the test is blocked, so "has not returned" is a fact,
// not a guess.

type takeResult struct {
	deferred bool
	err      error
}

func goTake(a *ack) <-chan takeResult {
	ch := make(chan takeResult, 1)
	go func() {
		d, err := a.take()
		ch <- takeResult{d, err}
	}()
	return ch
}

// The timer first: the worker's take waits for the deferral in flight and
// then edits; never before Discord has taken the deferral.
func TestAckTakeWaitsForDeferralInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAck()
		release := make(chan struct{})
		sent := 0
		a.arm(realAfterFunc, defaultDeferAfter, func() error { sent++; <-release; return nil })
		time.Sleep(defaultDeferAfter)
		synctest.Wait() // the deferral is in flight
		took := goTake(a)
		synctest.Wait()
		select {
		case r := <-took:
			t.Fatalf("take returned %+v while the deferral was in flight", r)
		default:
		}
		close(release)
		synctest.Wait()
		if r := <-took; !r.deferred || r.err != nil {
			t.Errorf("take = %+v after the deferral was taken, want deferred", r)
		}
		if sent != 1 {
			t.Errorf("%d deferrals sent, want 1", sent)
		}
	})
}

// The worker first: no deferral, ever.
func TestAckWorkerFirstNoDeferral(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAck()
		sent := 0
		a.arm(realAfterFunc, defaultDeferAfter, func() error { sent++; return nil })
		time.Sleep(defaultDeferAfter - time.Millisecond)
		if r := <-goTake(a); r.deferred || r.err != nil {
			t.Errorf("take = %+v before the timer, want to respond itself", r)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if sent != 0 {
			t.Errorf("%d deferrals sent after the worker took the response, want 0", sent)
		}
		// Fired by hand, as if Stop had lost the race: still nothing.
		a.fire(func() error { sent++; return nil })
		if sent != 0 {
			t.Errorf("a late timer sent a deferral")
		}
	})
}

// A failed deferral leaves the worker nothing to send.
func TestAckDeferralFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAck()
		boom := errors.New("503")
		a.arm(realAfterFunc, time.Second, func() error { return boom })
		time.Sleep(time.Second)
		synctest.Wait()
		r := <-goTake(a)
		if r.deferred || !errors.Is(r.err, errDeferralFailed) || !errors.Is(r.err, boom) {
			t.Errorf("take = %+v after a failed deferral, want errDeferralFailed wrapping the cause", r)
		}
	})
}

// Taken before the timer is armed (the worker is that quick): arming
// stops the new timer and nothing is sent.
func TestAckTakenBeforeArmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAck()
		if r := <-goTake(a); r.deferred || r.err != nil {
			t.Fatalf("take = %+v, want to respond itself", r)
		}
		sent := 0
		stopped := false
		a.arm(func(d time.Duration, f func()) func() bool {
			stop := realAfterFunc(d, f)
			return func() bool { stopped = true; return stop() }
		}, time.Second, func() error { sent++; return nil })
		time.Sleep(time.Hour)
		synctest.Wait()
		if sent != 0 || !stopped {
			t.Errorf("sent %d deferrals, timer stopped %v; want none, stopped", sent, stopped)
		}
	})
}
