import azureFunctions from "@azure/functions";

// Streams HTTP responses (GET /api/jobs/{job}/logs?follow=true); must run before any registration.
azureFunctions.app.setup({ enableHttpStream: true });
