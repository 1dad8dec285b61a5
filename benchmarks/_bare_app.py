"""The yardstick for benchmarks/load.py: a bare FastAPI app on the same uvicorn that reads Twilio's form and
answers fixed TwiML (a Gather pointing at the next turn), with no database, flows or signature check.
What the real service serves per second, divided by what this serves, is the share of the stack's
capacity the service's own work leaves.

Not a benchmark itself (run_all.py skips files starting with "_"): load.py starts it with
`uvicorn _bare_app:app --app-dir benchmarks`.
"""
from fastapi import FastAPI, Request, Response

app = FastAPI()

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/voice/turn?t={turn}" '
         'actionOnEmptyResult="false" finishOnKey="#" input="dtmf speech" method="POST" speechTimeout="auto" '
         'timeout="6"><Say language="en-GB">Please enter your customer number, then press the hash key.</Say>'
         '</Gather><Redirect method="POST">/twilio/voice/turn?t={turn}&amp;e=silence</Redirect></Response>')


@app.post("/twilio/voice")
@app.post("/twilio/voice/turn")
async def turn(request: Request, t: int = 0) -> Response:
    await request.form()
    return Response(TWIML.format(turn=t + 1), media_type="text/xml")


@app.post("/twilio/voice/status")
async def status(request: Request) -> Response:
    await request.form()
    return Response(status_code=204)


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
