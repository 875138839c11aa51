package main

import (
	"context"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/sagernet/sing-box/experimental/v2rayapi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// statsService answers the V2Ray StatsService (v2ray.core.app.stats.command.StatsService)
// as sing-box's own does: the same counter names, QueryStats by substring `patterns` (or
// regular expressions with `regexp`), GetSysStats' uptime in seconds since the core
// started. Two differences, both on purpose: the counters outlive inbound swaps and config
// replacements, and `reset` is refused, so no local process can zero the counters the
// panel's totals are computed from.
type statsService struct {
	v2rayapi.UnimplementedStatsServiceServer
	counters  *counterSet
	startedAt time.Time
}

var errResetRefused = status.Error(codes.PermissionDenied,
	"singdeck-core never resets counters: the panel counts from them")

func (s *statsService) GetStats(ctx context.Context, request *v2rayapi.GetStatsRequest) (*v2rayapi.GetStatsResponse, error) {
	if request.Reset_ {
		return nil, errResetRefused
	}
	counter, ok := s.counters.lookup(request.Name)
	if !ok {
		return nil, status.Error(codes.NotFound, request.Name+" not found.")
	}
	return &v2rayapi.GetStatsResponse{Stat: &v2rayapi.Stat{Name: request.Name, Value: counter.Load()}}, nil
}

func (s *statsService) QueryStats(ctx context.Context, request *v2rayapi.QueryStatsRequest) (*v2rayapi.QueryStatsResponse, error) {
	if request.Reset_ {
		return nil, errResetRefused
	}
	patterns := request.Patterns
	if len(patterns) == 0 && request.Pattern != "" {
		patterns = []string{request.Pattern}
	}
	var match func(string) bool
	if len(patterns) > 0 && request.Regexp {
		matchers := make([]*regexp.Regexp, 0, len(patterns))
		for _, pattern := range patterns {
			matcher, err := regexp.Compile(pattern)
			if err != nil {
				return nil, status.Error(codes.InvalidArgument, err.Error())
			}
			matchers = append(matchers, matcher)
		}
		match = func(name string) bool {
			for _, m := range matchers {
				if m.MatchString(name) {
					return true
				}
			}
			return false
		}
	} else if len(patterns) > 0 {
		match = func(name string) bool {
			for _, p := range patterns {
				if strings.Contains(name, p) {
					return true
				}
			}
			return false
		}
	}
	values := s.counters.snapshot(match, false)
	response := &v2rayapi.QueryStatsResponse{Stat: make([]*v2rayapi.Stat, 0, len(values))}
	for name, value := range values {
		response.Stat = append(response.Stat, &v2rayapi.Stat{Name: name, Value: value})
	}
	return response, nil
}

func (s *statsService) GetSysStats(ctx context.Context, request *v2rayapi.SysStatsRequest) (*v2rayapi.SysStatsResponse, error) {
	var memory runtime.MemStats
	runtime.ReadMemStats(&memory)
	return &v2rayapi.SysStatsResponse{
		Uptime:       uint32(time.Since(s.startedAt).Seconds()),
		NumGoroutine: uint32(runtime.NumGoroutine()),
		NumGC:        memory.NumGC,
		Alloc:        memory.Alloc,
		TotalAlloc:   memory.TotalAlloc,
		Sys:          memory.Sys,
		Mallocs:      memory.Mallocs,
		Frees:        memory.Frees,
		LiveObjects:  memory.Mallocs - memory.Frees,
		PauseTotalNs: memory.PauseTotalNs,
	}, nil
}
