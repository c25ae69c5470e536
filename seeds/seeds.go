// Package seeds embeds the articles storybot answers from when no --corpus
// folder is given.
//
// Each article is a UTF-8 .txt file named after its ID. A file may open with
// a header that carries metadata the text itself states, between two lines
// of three dashes:
//
//	---
//	title: Syria Leader Stresses 'Strong Strategic Ties' in Call With Russia's Putin
//	outlet: The Moscow Times
//	---
//
// Without a header, the title is the article's headline (its first line when
// that line reads as one) or else its opening words, and the outlet is empty.
package seeds

import "embed"

// Topic says what the seed articles are about, for help texts.
const Topic = "the first phone call between Vladimir Putin and Syria's Ahmed al-Sharaa"

// FS holds the seed articles as *.txt files at its root.
//
//go:embed *.txt
var FS embed.FS
