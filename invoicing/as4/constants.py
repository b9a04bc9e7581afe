"""Namespaces, algorithm URIs and fixed values of the Peppol AS4 profile (eDelivery AS4 2.0)."""

from __future__ import annotations

S12 = "http://www.w3.org/2003/05/soap-envelope"
EB = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
EBBP = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

NSMAP = {
    "S12": S12,
    "eb": EB,
    "wsse": WSSE,
    "wsse11": WSSE11,
    "wsu": WSU,
    "ds": DS,
    "xenc": XENC,
    "xenc11": XENC11,
    "ebbp": EBBP,
}

WSU_ID = f"{{{WSU}}}Id"

# Algorithms the profile mandates; anything else is refused on input.
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
AES128_GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
RSA_OAEP = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
MGF1_SHA256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256"
SWA = "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1"
ATTACHMENT_CONTENT_SIGNATURE = f"{SWA}#Attachment-Content-Signature-Transform"
ATTACHMENT_CONTENT_ONLY = f"{SWA}#Attachment-Content-Only"
ATTACHMENT_CIPHERTEXT = f"{SWA}#Attachment-Ciphertext-Transform"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
ENCRYPTED_KEY_TOKEN = (
    "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey"
)

# Peppol AS4 profile values.
AP_PARTY_TYPE = "urn:fdc:peppol.eu:2017:identifiers:ap"
INITIATOR = f"{EB.rstrip('/')}/initiator"
RESPONDER = f"{EB.rstrip('/')}/responder"
AGREEMENT = "urn:fdc:peppol.eu:2017:agreements:tia:ap_provider"
PROCESS_SCHEME = "cenbii-procid-ubl"
DOCTYPE_SCHEME = "busdox-docid-qns"
PARTICIPANT_SCHEME = "iso6523-actorid-upis"
ORIGINAL_SENDER = "originalSender"
FINAL_RECIPIENT = "finalRecipient"
GZIP = "application/gzip"
