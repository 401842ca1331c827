#!/usr/bin/env node
console.log('dialtone');
