package main

import (
	"context"
	"net"
	"sync"
	"sync/atomic"

	"github.com/sagernet/sing-box/adapter"
	tun "github.com/sagernet/sing-tun"
	"github.com/sagernet/sing/common/bufio"
	N "github.com/sagernet/sing/common/network"
)

// connTracker is the router's connection tracker. For every routed connection and stream
// (inner multiplex streams and new QUIC streams are routed one by one too) it
//   - closes it at once when its user is blocked, or when the core is drained;
//   - counts its bytes under the V2Ray StatsService's counter names;
//   - remembers it while it is open, so that blocking a user or draining the core can
//     close what is already open.
//
// It replaces sing-box's own StatsService tracker, whose user list is fixed when the box
// is created: users added to an inbound at run time would not be counted there.
type connTracker struct {
	counters *counterSet

	mu      sync.Mutex
	blocked map[string]struct{}
	drained bool
	open    map[*openConn]struct{}
	byUser  map[string]map[*openConn]struct{}
}

var _ adapter.ConnectionTracker = (*connTracker)(nil)

// openConn is one open routed connection: its user and how to close it.
type openConn struct {
	user  string
	close func() error
}

func newConnTracker(counters *counterSet) *connTracker {
	return &connTracker{
		counters: counters,
		blocked:  make(map[string]struct{}),
		open:     make(map[*openConn]struct{}),
		byUser:   make(map[string]map[*openConn]struct{}),
	}
}

// admit registers a new connection, or reports that it must be closed (blocked user,
// drained core). The check and the registration happen under one lock, so a connection
// is either refused or seen by a later Block.
func (t *connTracker) admit(user string, closer func() error) (*openConn, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drained {
		return nil, false
	}
	if _, blocked := t.blocked[user]; blocked && user != "" {
		return nil, false
	}
	c := &openConn{user: user, close: closer}
	t.open[c] = struct{}{}
	if user != "" {
		set := t.byUser[user]
		if set == nil {
			set = make(map[*openConn]struct{})
			t.byUser[user] = set
		}
		set[c] = struct{}{}
	}
	return c, true
}

func (t *connTracker) release(c *openConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.open, c)
	if set := t.byUser[c.user]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(t.byUser, c.user)
		}
	}
}

func (t *connTracker) RoutedConnection(ctx context.Context, conn net.Conn, metadata adapter.InboundContext, matchedRule adapter.Rule, matchOutbound adapter.Outbound) net.Conn {
	c, ok := t.admit(metadata.User, conn.Close)
	if !ok {
		conn.Close()
		return conn
	}
	read, write := t.counters.forConnection(metadata, matchOutbound)
	counted := bufio.NewInt64CounterConn(conn, read, write)
	return &trackedConn{CounterConn: counted, release: func() { t.release(c) }}
}

func (t *connTracker) RoutedPacketConnection(ctx context.Context, conn N.PacketConn, metadata adapter.InboundContext, matchedRule adapter.Rule, matchOutbound adapter.Outbound) N.PacketConn {
	c, ok := t.admit(metadata.User, conn.Close)
	if !ok {
		conn.Close()
		return conn
	}
	read, write := t.counters.forConnection(metadata, matchOutbound)
	counted := bufio.NewInt64CounterPacketConn(conn, read, nil, write, nil)
	return &trackedPacketConn{CounterPacketConn: counted, release: func() { t.release(c) }}
}

// RoutedFlow serves tun inbounds, which the panel never generates: count, never block.
func (t *connTracker) RoutedFlow(ctx context.Context, metadata adapter.InboundContext, matchedRule adapter.Rule, matchOutbound adapter.Outbound) tun.FlowTracker {
	return nil
}

// Block adds names to the blocked set and closes their open connections; it returns how
// many connections it closed.
func (t *connTracker) Block(names []string) int {
	t.mu.Lock()
	var closers []*openConn
	for _, name := range names {
		if name == "" {
			continue
		}
		t.blocked[name] = struct{}{}
		for c := range t.byUser[name] {
			closers = append(closers, c)
		}
	}
	t.mu.Unlock()
	for _, c := range closers {
		c.close()
	}
	return len(closers)
}

// Unblock removes names from the blocked set.
func (t *connTracker) Unblock(names []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range names {
		delete(t.blocked, name)
	}
}

// SetBlocked makes the blocked set exactly `names` and closes the connections of those
// that were not blocked before.
func (t *connTracker) SetBlocked(names []string) int {
	t.mu.Lock()
	t.blocked = make(map[string]struct{}, len(names))
	t.mu.Unlock()
	return t.Block(names)
}

// BlockedNames lists the blocked set.
func (t *connTracker) BlockedNames() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.blocked))
	for name := range t.blocked {
		names = append(names, name)
	}
	return names
}

// BlockedCount is the size of the blocked set.
func (t *connTracker) BlockedCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.blocked)
}

// OpenCount is the number of open routed connections.
func (t *connTracker) OpenCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// Drain refuses every new connection from now on and closes every open one; it returns
// how many it closed. Undone by Undrain (a new config starts serving).
func (t *connTracker) Drain() int {
	t.mu.Lock()
	t.drained = true
	closers := make([]*openConn, 0, len(t.open))
	for c := range t.open {
		closers = append(closers, c)
	}
	t.mu.Unlock()
	for _, c := range closers {
		c.close()
	}
	return len(closers)
}

// Undrain lets connections in again.
func (t *connTracker) Undrain() {
	t.mu.Lock()
	t.drained = false
	t.mu.Unlock()
}

// Drained reports whether new connections are refused.
func (t *connTracker) Drained() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drained
}

// trackedConn is a counted connection that leaves the tracker when closed. Reads and
// writes go straight to the counting connection (its UnwrapReader/UnwrapWriter are
// promoted, so sing's copy loops keep their fast paths).
type trackedConn struct {
	*bufio.CounterConn
	once    sync.Once
	release func()
}

func (c *trackedConn) Close() error {
	c.once.Do(c.release)
	return c.CounterConn.Close()
}

func (c *trackedConn) Upstream() any {
	return c.CounterConn
}

type trackedPacketConn struct {
	*bufio.CounterPacketConn
	once    sync.Once
	release func()
}

func (c *trackedPacketConn) Close() error {
	c.once.Do(c.release)
	return c.CounterPacketConn.Close()
}

func (c *trackedPacketConn) Upstream() any {
	return c.CounterPacketConn
}

// counterSet holds the traffic counters by name, for the life of the process: inbound
// swaps and whole-config replacements keep them, so the panel's cursors stay valid.
type counterSet struct {
	mu       sync.Mutex
	counters map[string]*atomic.Int64
}

func newCounterSet() *counterSet {
	return &counterSet{counters: make(map[string]*atomic.Int64)}
}

func (s *counterSet) get(name string) *atomic.Int64 {
	counter := s.counters[name]
	if counter == nil {
		counter = new(atomic.Int64)
		s.counters[name] = counter
	}
	return counter
}

// forConnection returns the uplink (read from the client) and downlink (written to the
// client) counters of a connection: its inbound, its outbound and its user, named as the
// V2Ray StatsService names them.
func (s *counterSet) forConnection(metadata adapter.InboundContext, outbound adapter.Outbound) (read []*atomic.Int64, write []*atomic.Int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	add := func(kind, name string) {
		if name == "" {
			return
		}
		prefix := kind + ">>>" + name + ">>>traffic>>>"
		read = append(read, s.get(prefix+"uplink"))
		write = append(write, s.get(prefix+"downlink"))
	}
	add("inbound", metadata.Inbound)
	if outbound != nil {
		add("outbound", outbound.Tag())
	}
	add("user", metadata.User)
	return read, write
}

// snapshot returns every counter's value, optionally filtered by `match`, resetting
// each to zero when `reset` is set.
func (s *counterSet) snapshot(match func(name string) bool, reset bool) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.counters))
	for name, counter := range s.counters {
		if match != nil && !match(name) {
			continue
		}
		if reset {
			out[name] = counter.Swap(0)
		} else {
			out[name] = counter.Load()
		}
	}
	return out
}

func (s *counterSet) lookup(name string) (*atomic.Int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counter, ok := s.counters[name]
	return counter, ok
}
