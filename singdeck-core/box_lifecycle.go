package main

import (
	"context"
	"os"
	"sync"
	"time"

	box "github.com/sagernet/sing-box"
	"github.com/sagernet/sing-box/include"
	"github.com/sagernet/sing-box/option"
	E "github.com/sagernet/sing/common/exceptions"
	F "github.com/sagernet/sing/common/format"
	"github.com/sagernet/sing/common/json"
	"github.com/sagernet/sing/service"
)

// parsedConfig is a config file as singdeck-core runs it: sing-box's options without
// `experimental.v2ray_api` (singdeck-core serves the StatsService itself, on the address
// that section names).
type parsedConfig struct {
	options    option.Options
	statsAddr  string
	logOptions option.LogOptions
}

func newBoxContext() context.Context {
	return service.ContextWithDefaultRegistry(include.Context(context.Background()))
}

// parseConfig decodes a sing-box config the way `sing-box run` does, strictly (unknown
// fields and duplicate tags are errors), and takes the V2Ray API section out.
func parseConfig(content []byte) (*parsedConfig, error) {
	options, err := json.UnmarshalExtendedContext[option.Options](newBoxContext(), content)
	if err != nil {
		return nil, E.Cause(err, "decode config")
	}
	parsed := &parsedConfig{options: options}
	if experimental := options.Experimental; experimental != nil && experimental.V2RayAPI != nil {
		parsed.statsAddr = experimental.V2RayAPI.Listen
		experimental.V2RayAPI = nil
	}
	if options.Log != nil {
		parsed.logOptions = *options.Log
	}
	return parsed, nil
}

func readConfigFile(path string) (*parsedConfig, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, E.Cause(err, "read config at ", path)
	}
	return parseConfig(content)
}

// runningBox is the sing-box instance with what it was made from.
type runningBox struct {
	instance *box.Box
	ctx      context.Context
	cancel   context.CancelFunc
	config   *parsedConfig
}

// coreHost owns the running box and swaps parts of it, one change at a time.
type coreHost struct {
	mu      sync.Mutex
	current *runningBox
	tracker *connTracker
	log     *coreLog
}

// startBox creates and starts a box from a config, with the tracker attached to its router.
func (h *coreHost) startBox(config *parsedConfig) (*runningBox, error) {
	ctx, cancel := context.WithCancel(newBoxContext())
	options := config.options
	instance, err := box.New(box.Options{Context: ctx, Options: options})
	if err != nil {
		cancel()
		return nil, E.Cause(err, "create service")
	}
	instance.Router().AppendTracker(h.tracker)
	if err = instance.Start(); err != nil {
		instance.Close()
		cancel()
		return nil, E.Cause(err, "start service")
	}
	return &runningBox{instance: instance, ctx: ctx, cancel: cancel, config: config}, nil
}

func (b *runningBox) close() {
	b.cancel()
	done := make(chan struct{})
	go func() {
		b.instance.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// start runs the first config.
func (h *coreHost) start(config *parsedConfig) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	running, err := h.startBox(config)
	if err != nil {
		return err
	}
	h.current = running
	return nil
}

// replaceConfig closes the running box and starts one from `config`; when the new one
// cannot start, the previous config is started again and the error returned.
func (h *coreHost) replaceConfig(config *parsedConfig) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Build first: a config sing-box refuses to create changes nothing.
	probeCtx, cancelProbe := context.WithCancel(newBoxContext())
	probe, err := box.New(box.Options{Context: probeCtx, Options: config.options})
	if err != nil {
		cancelProbe()
		return E.Cause(err, "create service")
	}
	probe.Close()
	cancelProbe()
	previous := h.current
	if previous != nil {
		previous.close()
	}
	h.tracker.Undrain()
	running, err := h.startBox(config)
	if err == nil {
		h.current = running
		return nil
	}
	if previous != nil {
		restored, restoreErr := h.startBox(previous.config)
		if restoreErr != nil {
			h.current = nil
			return E.Errors(err, E.Cause(restoreErr, "restore previous config"))
		}
		h.current = restored
	}
	return err
}

// replaceInbound creates the inbound in `content` (one sing-box inbound object) with the
// given tag. sing-box's inbound manager starts the new inbound before it closes the old
// one with the same tag, and the generated inbounds set `reuse_addr`, so the port never
// stops accepting; connections the old inbound accepted are not closed by it.
func (h *coreHost) replaceInbound(tag string, content []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current == nil {
		return E.New("no config is running")
	}
	inbound, err := json.UnmarshalExtendedContext[option.Inbound](h.current.ctx, content)
	if err != nil {
		return E.Cause(err, "decode inbound")
	}
	if inbound.Tag != tag {
		return E.New("inbound file has tag ", F.ToString("\"", inbound.Tag, "\""), ", not ", F.ToString("\"", tag, "\""))
	}
	instance := h.current.instance
	logger := instance.LogFactory().NewLogger(F.ToString("inbound/", inbound.Type, "[", tag, "]"))
	err = instance.Inbound().Create(h.current.ctx, instance.Router(), logger, tag, inbound.Type, inbound.Options)
	if err != nil {
		return err
	}
	h.current.config.setInbound(inbound)
	return nil
}

// removeInbound closes one inbound's listener.
func (h *coreHost) removeInbound(tag string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current == nil {
		return E.New("no config is running")
	}
	if _, found := h.current.instance.Inbound().Get(tag); !found {
		return E.New("no inbound with tag \"", tag, "\"")
	}
	if err := h.current.instance.Inbound().Remove(tag); err != nil {
		return err
	}
	h.current.config.removeInbound(tag)
	return nil
}

// drain closes every inbound and every connection; the box stays (outbounds, route) so
// that a later replaceConfig can restore service, and the counters stay readable.
func (h *coreHost) drain() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current != nil {
		manager := h.current.instance.Inbound()
		for _, inbound := range manager.Inbounds() {
			manager.Remove(inbound.Tag())
		}
	}
	return h.tracker.Drain()
}

// inboundTags lists the tags of the running inbounds.
func (h *coreHost) inboundTags() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current == nil {
		return nil
	}
	var tags []string
	for _, inbound := range h.current.instance.Inbound().Inbounds() {
		tags = append(tags, inbound.Tag())
	}
	return tags
}

// stop closes the running box.
func (h *coreHost) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current != nil {
		h.current.close()
		h.current = nil
	}
}

// setInbound records a swapped inbound in the config, so a restore after a failed
// replaceConfig brings back what was serving.
func (c *parsedConfig) setInbound(inbound option.Inbound) {
	for i := range c.options.Inbounds {
		if c.options.Inbounds[i].Tag == inbound.Tag {
			c.options.Inbounds[i] = inbound
			return
		}
	}
	c.options.Inbounds = append(c.options.Inbounds, inbound)
}

func (c *parsedConfig) removeInbound(tag string) {
	kept := c.options.Inbounds[:0]
	for _, inbound := range c.options.Inbounds {
		if inbound.Tag != tag {
			kept = append(kept, inbound)
		}
	}
	c.options.Inbounds = kept
}
