package minikafka

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NpxPackage is the npm package version range npx may fetch when nothing else is found.
const NpxPackage = "minikafka@^0.1.0"

// Launcher is the command that runs the minikafka CLI ("start ..." is appended) and how it was found.
type Launcher struct {
	Argv    []string
	FoundBy string
}

// FindNode returns MINIKAFKA_NODE when set, else `node` on PATH, else an error that says so.
func FindNode() (string, error) {
	if given := os.Getenv("MINIKAFKA_NODE"); given != "" {
		if st, err := os.Stat(given); err != nil || st.IsDir() {
			return "", fmt.Errorf("minikafka: MINIKAFKA_NODE=%s is not an executable file", given)
		}
		return given, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("minikafka: the broker runs on Node.js (20 or newer) and no `node` is on PATH (PATH=%s); install Node.js (https://nodejs.org/) or set MINIKAFKA_NODE to the node executable", os.Getenv("PATH"))
	}
	return node, nil
}

// FindLauncher finds the minikafka command; the first match wins:
//
//  1. MINIKAFKA_COMMAND: the whole command, split on spaces (e.g. "node /src/minikafka/dist/cli.cjs").
//  2. node_modules/.bin/minikafka in the working directory (a test's package directory) or a
//     parent: the npm package installed in the project (`npm install --save-dev minikafka`).
//  3. `minikafka` on PATH (`npm install -g minikafka`).
//  4. `npx --yes minikafka@^0.1.0`: npm fetches it on first use, and every start pays for npm's
//     resolution (about a second), so a local install is the fast way.
//
// The CLI of 2 and 3 is a JavaScript file with a `#!/usr/bin/env node` line; it runs as
// `<node> <file>` with node from FindNode, so that a missing Node is reported as such.
func FindLauncher() (Launcher, error) {
	if command := strings.Fields(os.Getenv("MINIKAFKA_COMMAND")); len(command) > 0 {
		return Launcher{Argv: command, FoundBy: "MINIKAFKA_COMMAND"}, nil
	}
	var tried []string
	if dir, err := os.Getwd(); err == nil {
		for {
			bin := filepath.Join(dir, "node_modules", ".bin", "minikafka")
			tried = append(tried, bin)
			if _, err := os.Stat(bin); err == nil {
				return nodeRunning(bin, "the npm package in "+dir)
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	if bin, err := exec.LookPath("minikafka"); err == nil {
		return nodeRunning(bin, "`minikafka` on PATH ("+bin+")")
	}
	tried = append(tried, "minikafka on PATH")
	if _, err := FindNode(); err != nil {
		return Launcher{}, err
	}
	if npx, err := exec.LookPath("npx"); err == nil {
		return Launcher{Argv: []string{npx, "--yes", NpxPackage}, FoundBy: "npx (no local install found: each start pays for npm's resolution)"}, nil
	}
	return Launcher{}, errors.New("minikafka: cannot find the minikafka command; install the npm package in the project (npm install --save-dev minikafka) or set MINIKAFKA_COMMAND. Tried: " + strings.Join(tried, ", ") + ", npx on PATH")
}

// nodeRunning is the launcher `<node> <the bin's real file>`.
func nodeRunning(bin, foundBy string) (Launcher, error) {
	node, err := FindNode()
	if err != nil {
		return Launcher{}, err
	}
	file, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return Launcher{}, fmt.Errorf("minikafka: %s: %w", bin, err)
	}
	return Launcher{Argv: []string{node, file}, FoundBy: foundBy}, nil
}
