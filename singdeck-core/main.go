// singdeck-core runs the sing-box config the singdeck panel generates, with sing-box
// embedded as a library, and adds what the sing-box CLI lacks: a control service to block
// users at once, swap one inbound while the others keep serving, replace the config, and
// drain the traffic before a planned stop (proto/core_control.proto); and a V2Ray
// StatsService whose counters survive those changes.
//
//	singdeck-core version
//	singdeck-core check -c config.json
//	singdeck-core run -c config.json --control-secret-file FILE [--blocked-file FILE]
//
// `version`, `check` and `run -c` answer like sing-box's, so the panel can drive either.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	C "github.com/sagernet/sing-box/constant"
	"github.com/sagernet/sing-box/experimental/v2rayapi"
	"google.golang.org/grpc"

	"singdeck-core/controlpb"
)

// coreVersion is singdeck-core's own version; the sing-box version is C.Version.
const coreVersion = "0.1.0"

// buildTags is set by the build script (-X main.buildTags=...), as sing-box's is.
var buildTags = ""

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "version":
		printVersion()
	case "check":
		err = commandCheck(os.Args[2:])
	case "run":
		err = commandRun(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FATAL["+time.Now().UTC().Format("0000")+"] "+err.Error())
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: singdeck-core version | check -c FILE | run -c FILE --control-secret-file FILE [--blocked-file FILE]")
	os.Exit(2)
}

func printVersion() {
	fmt.Printf("sing-box version %s\n\nsingdeck-core %s\nEnvironment: %s %s/%s\nTags: %s\n",
		C.Version, coreVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH, buildTags)
}

func commandCheck(args []string) error {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	configPath := flags.String("c", "config.json", "config file")
	flags.Bool("disable-color", false, "ignored (no colors are written)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	config, err := readConfigFile(*configPath)
	if err != nil {
		return err
	}
	return checkConfig(config)
}

func commandRun(args []string) error {
	flags := flag.NewFlagSet("run", flag.ContinueOnError)
	configPath := flags.String("c", "config.json", "config file")
	secretFile := flags.String("control-secret-file", "", "file holding the control service's secret (required)")
	blockedFile := flags.String("blocked-file", "", "JSON list of user names blocked before serving")
	flags.Bool("disable-color", false, "ignored (no colors are written)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	// The panel may die while the core runs: writes to its closed pipes must fail, not kill.
	signal.Ignore(syscall.SIGPIPE)
	secret, err := readSecret(*secretFile)
	if err != nil {
		return err
	}
	config, err := readConfigFile(*configPath)
	if err != nil {
		return err
	}
	if config.statsAddr == "" {
		return fmt.Errorf("config has no experimental.v2ray_api.listen: singdeck-core serves the StatsService and its control service there")
	}
	log := openCoreLog(config.logOptions)
	counters := newCounterSet()
	tracker := newConnTracker(counters)
	if *blockedFile != "" {
		names, err := readBlockedFile(*blockedFile)
		if err != nil {
			return err
		}
		tracker.Block(names)
	}
	host := &coreHost{tracker: tracker, log: log}
	startedAt := time.Now()

	listener, err := net.Listen("tcp", config.statsAddr)
	if err != nil {
		return fmt.Errorf("listen for the stats and control services on %s: %w", config.statsAddr, err)
	}
	server := grpc.NewServer(grpc.UnaryInterceptor(requireSecret(secret)), grpc.MaxRecvMsgSize(64<<20), grpc.MaxSendMsgSize(256<<20))
	v2rayapi.RegisterStatsServiceServer(server, &statsService{counters: counters, startedAt: startedAt})
	controlpb.RegisterCoreControlServer(server, &controlService{host: host, startedAt: startedAt, blockedFile: *blockedFile})

	if err := host.start(config); err != nil {
		listener.Close()
		return err
	}
	go server.Serve(listener)
	log.info("singdeck-core ", coreVersion, " (sing-box ", C.Version, ") started; stats and control on ", listener.Addr())
	if on, changed := enableRequestMigration(); changed {
		log.info("set net.ipv4.tcp_migrate_req=1 so inbound swaps refuse no connection attempt")
	} else if !on {
		log.info("net.ipv4.tcp_migrate_req is off and cannot be set: an inbound swap may reset the few connection attempts in flight")
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	for sig := range signals {
		if sig == syscall.SIGHUP {
			// Like sing-box: reload the config file (counters and the blocked set are kept).
			reloaded, err := readConfigFile(*configPath)
			if err == nil {
				err = host.replaceConfig(reloaded)
			}
			if err != nil {
				log.error("reload refused: ", err)
			}
			continue
		}
		break
	}
	log.info("singdeck-core stopping")
	host.stop()
	server.Stop()
	return nil
}

func readSecret(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("--control-secret-file is required: the control service needs a secret")
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read control secret: %w", err)
	}
	secret := strings.TrimSpace(string(content))
	if len(secret) < 16 {
		return "", fmt.Errorf("control secret in %s is shorter than 16 characters", path)
	}
	return secret, nil
}

func readBlockedFile(path string) ([]string, error) {
	content, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read blocked users: %w", err)
	}
	var names []string
	if err := json.Unmarshal(content, &names); err != nil {
		return nil, fmt.Errorf("blocked users file %s: %w", path, err)
	}
	return names, nil
}

// writeBlockedFile replaces the file atomically (write a temporary file, rename it).
func writeBlockedFile(path string, names []string) error {
	content, err := json.Marshal(names)
	if err != nil {
		return err
	}
	temporary := path + ".tmp"
	if err := os.WriteFile(temporary, content, 0o600); err != nil {
		return err
	}
	return os.Rename(temporary, path)
}
