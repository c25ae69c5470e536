package bot

import (
	"net"
	"sync"
)

// LimitListener returns a listener that keeps at most n of ln's connections
// open at once, for an HTTP server that must not run out of file
// descriptors however many clients connect (idle keep-alive connections,
// slow clients). Past n, Accept waits until one of the open connections is
// closed: the new connection waits in the kernel's listen backlog, where it
// uses no descriptor of this process, and its client sees a slow connect.
// Set the server's IdleTimeout and ReadTimeout too, or idle and slow clients
// can hold every slot. Closing the listener ends a waiting Accept.
// n <= 0 means no bound.
func LimitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots chan struct{} // one value per open connection
	done  chan struct{} // closed by Close
	once  sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.done) })
	return err
}

// limitConn gives its slot back when it is first closed, after the
// connection itself is closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
