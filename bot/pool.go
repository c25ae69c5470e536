package bot

// Pool runs the chat adapters' reply jobs.
//
// Jobs are queued per key (a chat, a channel, or a user for lookups). A key
// is served by at most one worker at a time, in the order its jobs came, so
// the answers in one chat keep the order of the questions, while different
// chats are answered in parallel by up to Workers workers. A chat that is
// waiting (a 429's retry_after, a slow send) holds only its own worker: the
// other chats go on.
//
// What is held is bounded, in total (Queue) and per key (PerKey). Submit
// never blocks: past a bound it returns ErrBusy at once, and the adapter
// tells the user with a notice (Notice), which runs after the key's queued
// jobs without counting against the bounds. A key has at most one notice
// pending, and at most Queue notices are pending in all, so a flood of
// refused jobs holds no more than that either.

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrBusy is returned by Submit when the pool holds as many jobs as it
// may, in total or for the key.
var ErrBusy = errors.New("busy")

// ErrClosed is returned by Submit and Notice after Close.
var ErrClosed = errors.New("pool closed")

// PoolConfig sets a Pool's bounds.
type PoolConfig struct {
	Workers int // keys served at once; 0 means 8
	Queue   int // jobs held (queued or running) in all; 0 means 256
	PerKey  int // jobs held for one key; 0 means half of Queue
	// OnPanic, if set, is called when a job panics, with the key and the
	// value recovered. The pool recovers every panic: a job that panics is
	// done, and its worker goes on.
	OnPanic func(key string, v any)
}

// Pool is a keyed worker pool. Its methods are safe for concurrent use.
type Pool struct {
	cfg     PoolConfig
	mu      sync.Mutex
	work    *sync.Cond // a key became ready, or the pool closed
	keys    map[string]*keyQueue
	ready   []string // keys with something queued and no worker
	held    int      // jobs queued or running, notices excluded
	notices int      // notices pending
	closed  bool
	wg      sync.WaitGroup
	done    chan struct{} // closed when every worker has exited
}

type keyQueue struct {
	jobs    []func()
	notice  func()
	running bool // a worker serves it
	ready   bool // it is in Pool.ready
}

// NewPool starts a pool's workers. Stop it with Close, then Wait.
func NewPool(cfg PoolConfig) *Pool {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 256
	}
	if cfg.PerKey <= 0 {
		cfg.PerKey = max(cfg.Queue/2, 1)
	}
	cfg.PerKey = min(cfg.PerKey, cfg.Queue)
	p := &Pool{cfg: cfg, keys: make(map[string]*keyQueue), done: make(chan struct{})}
	p.work = sync.NewCond(&p.mu)
	p.wg.Add(cfg.Workers)
	for range cfg.Workers {
		go p.worker()
	}
	go func() {
		p.wg.Wait()
		close(p.done)
	}()
	return p
}

// Config returns the pool's bounds, with the defaults filled in.
func (p *Pool) Config() PoolConfig { return p.cfg }

// Submit queues job behind key's other jobs. It never blocks: it returns
// ErrBusy when the pool holds Queue jobs, or PerKey jobs for key, and
// ErrClosed after Close.
func (p *Pool) Submit(key string, job func()) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	q := p.keys[key]
	if p.held >= p.cfg.Queue || q != nil && len(q.jobs)+btoi(q.running) >= p.cfg.PerKey {
		return ErrBusy
	}
	if q == nil {
		q = &keyQueue{}
		p.keys[key] = q
	}
	p.held++
	q.jobs = append(q.jobs, job)
	p.wake(key, q)
	return nil
}

// Notice queues fn to run after key's queued jobs, outside the bounds that
// Submit keeps: it is how a user refused with ErrBusy is told. It reports
// false, and does not queue fn, when key already has a notice pending
// (the adapter may fold the refusal into that one), when Queue notices are
// pending in all, or after Close.
func (p *Pool) Notice(key string, fn func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.notices >= p.cfg.Queue {
		return false
	}
	q := p.keys[key]
	if q == nil {
		q = &keyQueue{}
		p.keys[key] = q
	}
	if q.notice != nil {
		return false
	}
	q.notice = fn
	p.notices++
	p.wake(key, q)
	return true
}

// wake puts key in the ready list if no worker serves it. p.mu is held.
func (p *Pool) wake(key string, q *keyQueue) {
	if !q.running && !q.ready {
		q.ready = true
		p.ready = append(p.ready, key)
		p.work.Signal()
	}
}

// Held returns how many jobs are queued or running, notices excluded.
func (p *Pool) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// Close stops taking jobs. The workers finish every job and notice already
// queued, then exit; Wait waits for them.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.work.Broadcast()
	p.mu.Unlock()
}

// Wait waits until every worker has exited after Close, or ctx is done;
// then it returns ctx's error. The jobs still running when ctx is done go
// on: they should watch a context of their own.
func (p *Pool) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done returns a channel closed when every worker has exited after Close.
func (p *Pool) Done() <-chan struct{} { return p.done }

func (p *Pool) worker() {
	defer p.wg.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.ready) == 0 && !p.closed {
			p.work.Wait()
		}
		if len(p.ready) == 0 {
			return // closed and drained
		}
		key := p.ready[0]
		p.ready = p.ready[1:]
		q := p.keys[key]
		q.ready, q.running = false, true
		for {
			var fn func()
			notice := false
			switch {
			case len(q.jobs) > 0:
				fn = q.jobs[0]
				q.jobs[0] = nil
				q.jobs = q.jobs[1:]
			case q.notice != nil:
				fn, q.notice, notice = q.notice, nil, true
			}
			if fn == nil {
				break
			}
			p.mu.Unlock()
			p.run(key, fn)
			p.mu.Lock()
			if notice {
				p.notices--
			} else {
				p.held--
			}
			if len(p.ready) > 0 && (len(q.jobs) > 0 || q.notice != nil) {
				// Others are waiting: go to the back of the line, so one
				// busy chat does not keep a worker from them.
				q.ready = true
				p.ready = append(p.ready, key)
				p.work.Signal()
				break
			}
		}
		q.running = false
		if !q.ready {
			delete(p.keys, key)
		}
	}
}

// run runs fn, recovering a panic.
func (p *Pool) run(key string, fn func()) {
	defer func() {
		if v := recover(); v != nil && p.cfg.OnPanic != nil {
			p.cfg.OnPanic(key, v)
		}
	}()
	fn()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// String describes the pool's bounds, for logs.
func (c PoolConfig) String() string {
	return fmt.Sprintf("workers=%d queue=%d per_key=%d", c.Workers, c.Queue, c.PerKey)
}
