"""Twilio: the only package that imports the twilio SDK. It verifies Twilio's requests,
turns them into the channels' own values, renders the channels' answers as TwiML, and
holds the REST client, the voice table, the status mapping and the call-back call."""
