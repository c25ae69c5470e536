package bot

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitListener: with two connections open, a third is accepted only
// once one of them is closed, and closing the listener ends a waiting
// Accept.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := LimitListener(inner, 2)
	defer ln.Close()
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// The third Accept must return only after a is closed. Whether it
	// waits cannot be seen from outside without a clock, so the test
	// records what it found when it returned: freed is set just before
	// a.Close, and an Accept that did not wait returns long before.
	var freed atomic.Bool
	calling := make(chan struct{})
	third := make(chan net.Conn, 1)
	go func() {
		close(calling)
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
		} else if !freed.Load() {
			t.Error("a third connection was accepted with two open")
		}
		third <- c
	}()
	<-calling
	freed.Store(true)
	a.Close()
	a.Close() // a second Close gives back nothing more
	select {
	case c := <-third:
		if c == nil {
			t.Fatal("no third connection")
		}
		c.Close()
	case <-time.After(20 * time.Second):
		t.Fatal("closing one connection did not let the third in")
	}

	// b is open and a slot is free: one more Accept would not wait, two
	// would. Close ends the waiting one.
	waiting := make(chan error, 1)
	go func() {
		c, err := ln.Accept() // takes the free slot, waits for a dial
		if err == nil {
			c.Close()
		}
		waiting <- err
	}()
	ln.Close()
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not end a waiting Accept")
	}
	if LimitListener(inner, 0) != inner {
		t.Error("n = 0 should mean no bound")
	}
}
