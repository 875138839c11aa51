package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The behaviour of the sing-box library these tests pin (they fail on an upgrade that
// changes it): the inbound manager starts a new inbound before it closes the old one with
// the same tag; with `reuse_addr` both can hold the port meanwhile, so the port never stops
// accepting; closing an inbound closes its listener but not the connections it accepted.

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startEcho serves TCP on loopback, echoing every byte back.
func startEcho(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				io.Copy(conn, conn)
			}()
		}
	}()
	return l.Addr().String()
}

func vlessInbound(port int, users map[string]string) string {
	var list []string
	for name, uuid := range users {
		list = append(list, fmt.Sprintf(`{"name":%q,"uuid":%q}`, name, uuid))
	}
	return fmt.Sprintf(`{"type":"vless","tag":"x","listen":"127.0.0.1","listen_port":%d,"reuse_addr":true,"users":[%s]}`,
		port, strings.Join(list, ","))
}

func serverConfig(statsPort int, inbound string) string {
	return fmt.Sprintf(`{"log":{"level":"warn"},"inbounds":[%s],"outbounds":[{"type":"direct","tag":"direct"}],
		"route":{"final":"direct"},"experimental":{"v2ray_api":{"listen":"127.0.0.1:%d","stats":{"enabled":true}}}}`,
		inbound, statsPort)
}

// startClient runs a sing-box client box: a mixed inbound on a free port to the vless
// server; returns the SOCKS port.
func startClient(t *testing.T, serverPort int, uuid string) int {
	t.Helper()
	port := freePort(t)
	config := fmt.Sprintf(`{"log":{"level":"warn"},"inbounds":[{"type":"mixed","tag":"in","listen":"127.0.0.1","listen_port":%d}],
		"outbounds":[{"type":"vless","tag":"proxy","server":"127.0.0.1","server_port":%d,"uuid":%q}],"route":{"final":"proxy"}}`,
		port, serverPort, uuid)
	parsed, err := parseConfig([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	host := &coreHost{tracker: newConnTracker(newCounterSet()), log: &coreLog{writer: io.Discard}}
	if err := host.start(parsed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(host.stop)
	return port
}

// socksDial opens a connection to `target` through the SOCKS5 proxy on `proxyPort`.
func socksDial(proxyPort int, target string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", proxyPort), 2*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	defer conn.SetDeadline(time.Time{})
	host, portText, _ := net.SplitHostPort(target)
	var port uint16
	fmt.Sscan(portText, &port)
	request := []byte{5, 1, 0}
	reply := make([]byte, 2)
	if _, err = conn.Write(request); err == nil {
		_, err = io.ReadFull(conn, reply)
	}
	if err == nil && reply[1] != 0 {
		err = fmt.Errorf("socks auth method %d", reply[1])
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	ip := net.ParseIP(host).To4()
	connect := append([]byte{5, 1, 0, 1}, ip...)
	connect = binary.BigEndian.AppendUint16(connect, port)
	answer := make([]byte, 10)
	if _, err = conn.Write(connect); err == nil {
		_, err = io.ReadFull(conn, answer)
	}
	if err == nil && answer[1] != 0 {
		err = fmt.Errorf("socks connect failed with %d", answer[1])
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// roundTrip writes a message and reads it back through an echoing connection.
func roundTrip(conn net.Conn, message []byte) error {
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	defer conn.SetDeadline(time.Time{})
	if _, err := conn.Write(message); err != nil {
		return err
	}
	got := make([]byte, len(message))
	if _, err := io.ReadFull(conn, got); err != nil {
		return err
	}
	if !bytes.Equal(got, message) {
		return fmt.Errorf("echo differs")
	}
	return nil
}

const uuidA = "b831381d-6324-4d53-ad4f-8cda48b30811"
const uuidB = "2f7e6c3a-6b5a-4b0e-9f6d-3f1c2a9e8d11"

func startServer(t *testing.T, users map[string]string) (*coreHost, *counterSet, int) {
	t.Helper()
	port := freePort(t)
	parsed, err := parseConfig([]byte(serverConfig(freePort(t), vlessInbound(port, users))))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.statsAddr == "" || parsed.options.Experimental.V2RayAPI != nil {
		t.Fatal("the v2ray_api section is taken out of the options and its address kept")
	}
	counters := newCounterSet()
	host := &coreHost{tracker: newConnTracker(counters), log: &coreLog{writer: io.Discard}}
	if err := host.start(parsed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(host.stop)
	return host, counters, port
}

func TestReplaceInboundKeepsOpenConnectionsAndThePortAccepting(t *testing.T) {
	echo := startEcho(t)
	host, counters, port := startServer(t, map[string]string{"a|x": uuidA})
	clientA := startClient(t, port, uuidA)
	clientB := startClient(t, port, uuidB)

	long, err := socksDial(clientA, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close()
	if err := roundTrip(long, []byte("before the swap")); err != nil {
		t.Fatal(err)
	}
	if early, err := socksDial(clientB, echo); err == nil {
		// vless refuses an unknown UUID after the SOCKS reply: the round trip fails.
		if roundTrip(early, []byte("too early")) == nil {
			t.Fatal("user b connected before being added")
		}
		early.Close()
	}

	// singdeck-core turns this on at start where it may (see request_migration.go).
	migrating, _ := enableRequestMigration()
	// While the inbound is swapped, new connections keep arriving at the port.
	var refused, accepted atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err != nil {
				refused.Add(1)
				continue
			}
			accepted.Add(1)
			conn.Close()
		}
	}()
	for i := 0; i < 20; i++ {
		time.Sleep(10 * time.Millisecond)
		users := map[string]string{"a|x": uuidA, "b|x": uuidB}
		if err := host.replaceInbound("x", []byte(vlessInbound(port, users))); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond)
	close(stop)
	wg.Wait()
	if accepted.Load() == 0 {
		t.Fatal("no connection attempt ran during the swaps")
	}
	// A gap in accepting would refuse every attempt in it (thousands a second here); what
	// may remain is a rare reset of a handshake caught mid-migration by the kernel.
	total := refused.Load() + accepted.Load()
	limit := total / 1000 // 0.1 %
	if !migrating {
		t.Logf("net.ipv4.tcp_migrate_req is off and cannot be set here")
		limit = total / 100
	}
	t.Logf("%d of %d connection attempts refused during 20 swaps", refused.Load(), total)
	if refused.Load() > limit {
		t.Fatalf("%d of %d connection attempts were refused during the swaps", refused.Load(), total)
	}
	if err := roundTrip(long, []byte("after the swaps")); err != nil {
		t.Fatalf("the connection opened before the swaps broke: %v", err)
	}
	added, err := socksDial(clientB, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer added.Close()
	if err := roundTrip(added, []byte("new user")); err != nil {
		t.Fatalf("the user added by the swap cannot connect: %v", err)
	}
	// Spliced copies report their bytes a moment after the echo came back: wait for them.
	want := map[string]int64{
		"user>>>a|x>>>traffic>>>uplink":   int64(len("before the swap") + len("after the swaps")),
		"user>>>b|x>>>traffic>>>downlink": int64(len("new user")),
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		values := counters.snapshot(nil, false)
		if values["user>>>a|x>>>traffic>>>uplink"] >= want["user>>>a|x>>>traffic>>>uplink"] &&
			values["user>>>b|x>>>traffic>>>downlink"] >= want["user>>>b|x>>>traffic>>>downlink"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("traffic across the swap was not counted: %v, want at least %v", values, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBlockClosesOpenConnectionsAndRefusesNewOnes(t *testing.T) {
	echo := startEcho(t)
	host, counters, port := startServer(t, map[string]string{"a|x": uuidA, "b|x": uuidB})
	clientA := startClient(t, port, uuidA)
	clientB := startClient(t, port, uuidB)
	open, err := socksDial(clientA, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	other, err := socksDial(clientB, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := roundTrip(open, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(other, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if closed := host.tracker.Block([]string{"a|x"}); closed != 1 {
		t.Fatalf("blocking closed %d connections, not 1", closed)
	}
	if err := roundTrip(open, []byte("still there?")); err == nil {
		t.Fatal("a blocked user's open connection still carries data")
	}
	before := counters.snapshot(nil, false)["user>>>a|x>>>traffic>>>uplink"]
	if fresh, err := socksDial(clientA, echo); err == nil {
		if roundTrip(fresh, []byte("new")) == nil {
			t.Fatal("a blocked user opened a new connection")
		}
		fresh.Close()
	}
	if after := counters.snapshot(nil, false)["user>>>a|x>>>traffic>>>uplink"]; after != before {
		t.Fatalf("a blocked user's refused connection was counted: %d then %d", before, after)
	}
	if err := roundTrip(other, []byte("unaffected")); err != nil {
		t.Fatalf("another user's connection broke: %v", err)
	}
	host.tracker.Unblock([]string{"a|x"})
	again, err := socksDial(clientA, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := roundTrip(again, []byte("back")); err != nil {
		t.Fatalf("an unblocked user cannot connect: %v", err)
	}
}

func TestDrainClosesEverythingAndKeepsCounters(t *testing.T) {
	echo := startEcho(t)
	host, counters, port := startServer(t, map[string]string{"a|x": uuidA})
	clientA := startClient(t, port, uuidA)
	open, err := socksDial(clientA, echo)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if err := roundTrip(open, []byte("payload")); err != nil {
		t.Fatal(err)
	}
	if closed := host.drain(); closed < 1 {
		t.Fatalf("drain closed %d connections", closed)
	}
	if err := roundTrip(open, []byte("more")); err == nil {
		t.Fatal("a connection carries data after the drain")
	}
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		conn.Close()
		t.Fatal("the inbound still listens after the drain")
	}
	if counters.snapshot(nil, false)["user>>>a|x>>>traffic>>>downlink"] < int64(len("payload")) {
		t.Fatal("counters were lost by the drain")
	}
}
