package main

import (
	"context"
	"crypto/subtle"
	"os"
	"strings"
	"time"

	C "github.com/sagernet/sing-box/constant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"singdeck-core/controlpb"
)

// controlService is the panel's handle on the running core (proto/core_control.proto).
type controlService struct {
	controlpb.UnimplementedCoreControlServer
	host      *coreHost
	startedAt time.Time
	// blockedFile, when set, is rewritten after every change of the blocked set, so a core
	// restarted after a crash blocks the same users before it serves.
	blockedFile string
}

func (s *controlService) Status(ctx context.Context, _ *controlpb.StatusRequest) (*controlpb.StatusResponse, error) {
	return &controlpb.StatusResponse{
		CoreVersion:    coreVersion,
		SingBoxVersion: C.Version,
		Uptime:         uint32(time.Since(s.startedAt).Seconds()),
		Inbounds:       s.host.inboundTags(),
		Blocked:        uint32(s.host.tracker.BlockedCount()),
		Connections:    uint32(s.host.tracker.OpenCount()),
		Drained:        s.host.tracker.Drained(),
	}, nil
}

func (s *controlService) BlockUsers(ctx context.Context, request *controlpb.UserNames) (*controlpb.BlockedResponse, error) {
	closed := s.host.tracker.Block(request.Names)
	s.host.log.info("blocked ", len(request.Names), " users, closed ", closed, " connections")
	return s.blockedResponse(closed), nil
}

func (s *controlService) UnblockUsers(ctx context.Context, request *controlpb.UserNames) (*controlpb.BlockedResponse, error) {
	s.host.tracker.Unblock(request.Names)
	s.host.log.info("unblocked ", len(request.Names), " users")
	return s.blockedResponse(0), nil
}

func (s *controlService) SetBlocked(ctx context.Context, request *controlpb.UserNames) (*controlpb.BlockedResponse, error) {
	closed := s.host.tracker.SetBlocked(request.Names)
	return s.blockedResponse(closed), nil
}

func (s *controlService) blockedResponse(closed int) *controlpb.BlockedResponse {
	if s.blockedFile != "" {
		if err := writeBlockedFile(s.blockedFile, s.host.tracker.BlockedNames()); err != nil {
			s.host.log.error("write blocked file: ", err)
		}
	}
	return &controlpb.BlockedResponse{Blocked: uint32(s.host.tracker.BlockedCount()), Closed: uint32(closed)}
}

func (s *controlService) ReplaceInbound(ctx context.Context, request *controlpb.ReplaceInboundRequest) (*controlpb.ReplaceResponse, error) {
	started := time.Now()
	content, err := os.ReadFile(request.Path)
	if err == nil {
		err = s.host.replaceInbound(request.Tag, content)
	}
	return s.replaceResponse("replace inbound "+request.Tag, started, err), nil
}

func (s *controlService) RemoveInbound(ctx context.Context, request *controlpb.RemoveInboundRequest) (*controlpb.ReplaceResponse, error) {
	started := time.Now()
	err := s.host.removeInbound(request.Tag)
	return s.replaceResponse("remove inbound "+request.Tag, started, err), nil
}

func (s *controlService) ReplaceConfig(ctx context.Context, request *controlpb.ReplaceConfigRequest) (*controlpb.ReplaceResponse, error) {
	started := time.Now()
	config, err := readConfigFile(request.Path)
	if err == nil {
		err = s.host.replaceConfig(config)
	}
	return s.replaceResponse("replace config", started, err), nil
}

func (s *controlService) replaceResponse(what string, started time.Time, err error) *controlpb.ReplaceResponse {
	elapsed := uint32(time.Since(started).Milliseconds())
	if err != nil {
		s.host.log.error(what, " refused: ", err)
		return &controlpb.ReplaceResponse{Error: err.Error(), ElapsedMs: elapsed}
	}
	s.host.log.info(what, " done in ", elapsed, " ms")
	return &controlpb.ReplaceResponse{ElapsedMs: elapsed}
}

func (s *controlService) Drain(ctx context.Context, _ *controlpb.DrainRequest) (*controlpb.DrainResponse, error) {
	closed := s.host.drain()
	s.host.log.info("drained: closed every inbound and ", closed, " connections")
	return &controlpb.DrainResponse{Closed: uint32(closed)}, nil
}

// requireSecret lets CoreControl calls through only with `authorization: Bearer <secret>`;
// the StatsService, which sing-box serves without authentication, stays open as it is.
func requireSecret(secret string) grpc.UnaryServerInterceptor {
	want := []byte("Bearer " + secret)
	return func(ctx context.Context, request any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !strings.HasPrefix(info.FullMethod, "/"+controlpb.CoreControl_ServiceDesc.ServiceName+"/") {
			return handler(ctx, request)
		}
		md, _ := metadata.FromIncomingContext(ctx)
		values := md.Get("authorization")
		if len(values) != 1 || subtle.ConstantTimeCompare([]byte(values[0]), want) != 1 {
			return nil, status.Error(codes.Unauthenticated, "missing or wrong control secret")
		}
		return handler(ctx, request)
	}
}
