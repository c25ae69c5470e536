package telegram

// The dispatcher runs update handlers on a fixed pool of workers.
//
// Updates are queued per key (a chat, or a user for inline queries). A key
// is run by at most one worker at a time, in the order its updates came, so
// the answers in one chat keep the order of the questions while different
// chats are answered in parallel. The number of updates held (queued or
// running) is capped: push blocks while the dispatcher is full, which holds
// back getUpdates or the webhook request, so a flood cannot grow memory or
// goroutines. The dispatcher also tracks the update watermark: the highest
// update ID such that it and every update accepted before it are done; an
// update its handler could not finish (the drain time ran out) is never
// done, so the watermark stays below it and a restart gets it again.

import (
	"sync"
)

// job is one update to handle. run reports whether the update is handled:
// false when it was given up at shutdown.
type job struct {
	id  int64
	key int64
	run func() bool
}

type chatQueue struct {
	jobs []job
}

type dispatcher struct {
	mu     sync.Mutex
	work   *sync.Cond // a key became ready, or the dispatcher closed
	space  *sync.Cond // a job finished
	max    int
	held   int // queued or running
	full   int // pushes waiting for space
	queues map[int64]*chatQueue
	ready  []int64 // keys with queued jobs and no worker
	closed bool

	// watermark tracking, for updates pushed in increasing ID order
	order []int64
	done  map[int64]bool
	mark  int64

	wg sync.WaitGroup
}

// newDispatcher starts workers goroutines that hold at most max updates.
func newDispatcher(workers, max int, mark int64) *dispatcher {
	d := &dispatcher{
		max:    max,
		queues: make(map[int64]*chatQueue),
		done:   make(map[int64]bool),
		mark:   mark,
	}
	d.work = sync.NewCond(&d.mu)
	d.space = sync.NewCond(&d.mu)
	d.wg.Add(workers)
	for range workers {
		go d.worker()
	}
	return d
}

// push queues j behind the other jobs of its key, waiting while the
// dispatcher is full. It reports false when the dispatcher is closed.
func (d *dispatcher) push(j job) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.held >= d.max && !d.closed {
		d.full++
		d.space.Wait()
		d.full--
	}
	if d.closed {
		return false
	}
	d.held++
	d.order = append(d.order, j.id)
	q := d.queues[j.key]
	if q == nil {
		q = &chatQueue{}
		d.queues[j.key] = q
		d.ready = append(d.ready, j.key)
		d.work.Signal()
	}
	q.jobs = append(q.jobs, j)
	return true
}

func (d *dispatcher) worker() {
	defer d.wg.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		for len(d.ready) == 0 && !d.closed {
			d.work.Wait()
		}
		if len(d.ready) == 0 {
			return // closed and drained
		}
		key := d.ready[0]
		d.ready = d.ready[1:]
		q := d.queues[key]
		j := q.jobs[0]
		q.jobs = q.jobs[1:]

		d.mu.Unlock()
		handled := j.run()
		d.mu.Lock()

		d.held--
		if handled {
			d.finish(j.id)
		}
		if len(q.jobs) > 0 {
			d.ready = append(d.ready, key)
			d.work.Signal()
		} else {
			delete(d.queues, key)
		}
		d.space.Broadcast()
	}
}

// finish marks id done and advances the watermark.
func (d *dispatcher) finish(id int64) {
	d.done[id] = true
	for len(d.order) > 0 && d.done[d.order[0]] {
		if d.order[0] > d.mark {
			d.mark = d.order[0]
		}
		delete(d.done, d.order[0])
		d.order = d.order[1:]
	}
}

// watermark returns the highest update ID such that it and every update
// pushed before it are done.
func (d *dispatcher) watermark() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mark
}

// pending returns how many updates are queued or running.
func (d *dispatcher) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held
}

// waiting returns how many pushes are waiting for space.
func (d *dispatcher) waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.full
}

// close stops taking updates; the workers finish every queued one and exit.
// Wait for them with wait.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.work.Broadcast()
	d.space.Broadcast()
	d.mu.Unlock()
}

// wait returns a channel closed when every worker has exited.
func (d *dispatcher) wait() <-chan struct{} {
	c := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(c)
	}()
	return c
}
