package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/sagernet/sing-box/option"
)

// coreLog writes singdeck-core's own lines where sing-box writes its log (the config's
// `log.output` file, opened for appending, or stderr), in sing-box's line format.
type coreLog struct {
	mu     sync.Mutex
	writer io.Writer
}

func openCoreLog(options option.LogOptions) *coreLog {
	var writer io.Writer = os.Stderr
	if options.Output != "" && options.Output != "stderr" && options.Output != "stdout" {
		if file, err := os.OpenFile(options.Output, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			writer = file
		}
	}
	return &coreLog{writer: writer}
}

func (l *coreLog) write(level string, args []any) {
	line := fmt.Sprintf("%s %s singdeck-core: %s\n", time.Now().Format("-0700 2006-01-02 15:04:05"), level, fmt.Sprint(args...))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writer.Write([]byte(line))
}

func (l *coreLog) info(args ...any)  { l.write("INFO", args) }
func (l *coreLog) error(args ...any) { l.write("ERROR", args) }
