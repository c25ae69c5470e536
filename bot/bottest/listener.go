package bottest

import (
	"net"
	"sync"
)

// CountingListener counts the connections it has handed out, and how many
// of them were open at most at once. A server that bounds its connections
// (netutil.LimitListener) over it can be checked exactly: a connection is
// counted open from its Accept here until its Close here, which comes
// before the bound lets the next one in. (net/http's ConnState hook
// reports a connection closed only after it is, so a count kept there can
// run one over.)
type CountingListener struct {
	net.Listener
	mu                   sync.Mutex
	accepted, open, most int
}

// Accept implements net.Listener.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted++
	l.open++
	l.most = max(l.most, l.open)
	return &countedConn{Conn: c, l: l}, nil
}

// Counts returns the connections accepted so far, those open now, and the
// most open at once.
func (l *CountingListener) Counts() (accepted, open, most int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accepted, l.open, l.most
}

type countedConn struct {
	net.Conn
	l    *CountingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		defer c.l.mu.Unlock()
		c.l.open--
	})
	return err
}
