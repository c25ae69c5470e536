package telegram

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func ent(typ models.MessageEntityType, off, n int) models.MessageEntity {
	return models.MessageEntity{Type: typ, Offset: off, Length: n}
}

// TestRoute checks routing with entity offsets in UTF-16 code units: an
// emoji outside the Basic Multilingual Plane counts two.
func TestRoute(t *testing.T) {
	a := &Adapter{me: models.User{ID: 99, Username: "story_bot"}}
	group := models.Chat{ID: -5, Type: models.ChatTypeSupergroup}
	user := &models.User{ID: 1}
	tests := []struct {
		name string
		m    models.Message
		act  action
		q    string
	}{
		{"mention after emoji",
			models.Message{Chat: group, From: user, Text: "🙂 @story_bot who called?", Entities: []models.MessageEntity{ent("mention", 3, 10)}},
			ask, "🙂 who called?"},
		{"mention of someone else",
			models.Message{Chat: group, From: user, Text: "🙂 @story_bots hi", Entities: []models.MessageEntity{ent("mention", 3, 11)}},
			ignore, ""},
		{"/ask@bot",
			models.Message{Chat: group, From: user, Text: "/ask@Story_Bot  why?", Entities: []models.MessageEntity{ent("bot_command", 0, 14)}},
			ask, "why?"},
		{"/ask@other",
			models.Message{Chat: group, From: user, Text: "/ask@other_bot why?", Entities: []models.MessageEntity{ent("bot_command", 0, 14)}},
			ignore, ""},
		{"command not at start",
			models.Message{Chat: group, From: user, Text: "see /ask", Entities: []models.MessageEntity{ent("bot_command", 4, 4)}},
			ignore, ""},
		{"from a bot",
			models.Message{Chat: models.Chat{ID: 3, Type: "private"}, From: &models.User{ID: 3, IsBot: true}, Text: "hi"},
			ignore, ""},
		{"our own inline answer",
			models.Message{Chat: models.Chat{ID: 3, Type: "private"}, From: user, ViaBot: &models.User{ID: 99}, Text: "quote"},
			ignore, ""},
		{"channel post",
			models.Message{Chat: models.Chat{ID: -7, Type: "channel"}, From: user, Text: "/ask x", Entities: []models.MessageEntity{ent("bot_command", 0, 4)}},
			ignore, ""},
		{"photo caption in private",
			models.Message{Chat: models.Chat{ID: 3, Type: "private"}, From: user, Caption: "who is this?"},
			ask, "who is this?"},
		{"/who@bot",
			models.Message{Chat: group, From: user, Text: "/who@Story_Bot", Entities: []models.MessageEntity{ent("bot_command", 0, 14)}},
			story, "people"},
		{"/timeline@other",
			models.Message{Chat: group, From: user, Text: "/timeline@other_bot", Entities: []models.MessageEntity{ent("bot_command", 0, 19)}},
			ignore, ""},
		{"/summary in private, words after it",
			models.Message{Chat: models.Chat{ID: 3, Type: "private"}, From: user, Text: "/summary please", Entities: []models.MessageEntity{ent("bot_command", 0, 8)}},
			story, "summary"},
		{"unknown command in private",
			models.Message{Chat: models.Chat{ID: 3, Type: "private"}, From: user, Text: "/settings", Entities: []models.MessageEntity{ent("bot_command", 0, 9)}},
			help, ""},
	}
	for _, tc := range tests {
		act, q := a.route(&tc.m)
		if act != tc.act || q != tc.q {
			t.Errorf("%s: route(%q) = %d, %q; want %d, %q", tc.name, tc.m.Text, act, q, tc.act, tc.q)
		}
	}
}
