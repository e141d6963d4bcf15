#!/usr/bin/env node
import "../runtime/cli/main.ts";
