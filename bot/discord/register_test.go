package discord

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot/discord/discordtest"
)

// failCommands makes the fake answer the first n bulk overwrites with a
// 503: n = 4 is one registration failing after the transport's 3 retries.
func failCommands(srv *discordtest.Server, n int32) {
	var seen atomic.Int32
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Commands(srv.AppID, "")(r) && seen.Add(1) <= n {
			return &discordtest.Response{Status: 503, Body: map[string]any{"message": "unavailable"}}
		}
		return nil
	})
}

// A registration failing with server errors is tried again after a backoff.
func TestCommandRegistrationRetriedAfterServerError(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	failCommands(srv, 4)
	run := start(t, srv, newService(&answerer{}), withRegisterBase(time.Millisecond))
	ok := srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, "")))
	all := srv.Requests(discordtest.Commands(srv.AppID, ""))
	if len(all) != 5 || all[4] != ok {
		t.Errorf("%d bulk overwrites, want 5: a registration of 4 attempts failing with 503, then one that succeeds", len(all))
	}
	if logs := run.logs.String(); !strings.Contains(logs, "slash commands not registered") || !strings.Contains(logs, "registered again") {
		t.Errorf("the failure and the retry are not logged:\n%s", logs)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1: the retry needs no reconnect", n)
	}
}

// A registration that failed is tried again on the next connection, before
// its backoff is over.
func TestCommandRegistrationRetriedOnReconnect(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	failCommands(srv, 4)
	start(t, srv, newService(&answerer{}), withRegisterBase(time.Hour))
	for range 4 {
		if r := srv.WaitRequest(t, discordtest.Commands(srv.AppID, "")); r.Status != 503 {
			t.Fatalf("bulk overwrite answered %d, want the fake's 503", r.Status)
		}
	}
	srv.Drop(t)
	srv.WaitFrame(t, discordtest.OpResume)
	srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, "")))
	if n := len(srv.Requests(discordtest.Commands(srv.AppID, ""))); n != 5 {
		t.Errorf("%d bulk overwrites, want 5", n)
	}
}
