"""Which cac: elements precede cac:Signature in each UBL 2.1 document type (data, no logic).

Read from the 65 UBL 2.1 main document schemas (``ubl-2.1/xsd/maindoc``): in
every one of them the cbc: and ext: header elements come first, then these
cac: elements, then cac:Signature, then everything else.
``tests/gateway/signing/test_signing_placement.py`` checks this table against
the installed schemas, one case per document type.
"""

from __future__ import annotations

__all__ = ["CAC_BEFORE_SIGNATURE"]

_TABLE = {
    "ApplicationResponse": "",
    "AttachedDocument": "",
    "AwardedNotification": "SenderParty ReceiverParty MinutesDocumentReference AdditionalDocumentReference TenderResult FinalFinancialGuarantee",
    "BillOfLading": "ConsignorParty CarrierParty FreightForwarderParty Shipment DocumentReference ExchangeRate DocumentDistribution",
    "CallForTenders": "LegalDocumentReference TechnicalDocumentReference AdditionalDocumentReference",
    "Catalogue": "ValidityPeriod ReferencedContract SourceCatalogueReference DocumentReference",
    "CatalogueDeletion": "ValidityPeriod DeletedCatalogueReference ReferencedContract",
    "CatalogueItemSpecificationUpdate": "ValidityPeriod RelatedCatalogueReference ReferencedContract",
    "CataloguePricingUpdate": "ValidityPeriod RelatedCatalogueReference ReferencedContract",
    "CatalogueRequest": "ValidityPeriod",
    "CertificateOfOrigin": "",
    "ContractAwardNotice": "PreviousDocumentReference MinutesDocumentReference",
    "ContractNotice": "FrequencyPeriod",
    "CreditNote": "InvoicePeriod DiscrepancyResponse OrderReference BillingReference DespatchDocumentReference ReceiptDocumentReference ContractDocumentReference AdditionalDocumentReference StatementDocumentReference OriginatorDocumentReference",
    "DebitNote": "InvoicePeriod DiscrepancyResponse OrderReference BillingReference DespatchDocumentReference ReceiptDocumentReference StatementDocumentReference ContractDocumentReference AdditionalDocumentReference",
    "DespatchAdvice": "OrderReference AdditionalDocumentReference",
    "DocumentStatus": "",
    "DocumentStatusRequest": "RequestedDocumentReference",
    "ExceptionCriteria": "ValidityPeriod DocumentReference",
    "ExceptionNotification": "ExceptionObservationPeriod DocumentReference",
    "Forecast": "ForecastPeriod AdditionalDocumentReference",
    "ForecastRevision": "ForecastPeriod OriginalDocumentReference",
    "ForwardingInstructions": "ConsignorParty CarrierParty FreightForwarderParty Shipment DocumentReference ExchangeRate",
    "FreightInvoice": "InvoicePeriod Shipment OrderReference BillingReference DespatchDocumentReference ReceiptDocumentReference OriginatorDocumentReference ContractDocumentReference AdditionalDocumentReference",
    "FulfilmentCancellation": "DespatchDocumentReference ReceiptDocumentReference OrderReference AdditionalDocumentReference Contract",
    "GoodsItemItinerary": "",
    "GuaranteeCertificate": "ApplicablePeriod ApplicableRegulation GuaranteeDocumentReference ImmobilizedSecurity",
    "InstructionForReturns": "DocumentReference",
    "InventoryReport": "InventoryPeriod DocumentReference",
    "Invoice": "InvoicePeriod OrderReference BillingReference DespatchDocumentReference ReceiptDocumentReference StatementDocumentReference OriginatorDocumentReference ContractDocumentReference AdditionalDocumentReference ProjectReference",
    "ItemInformationRequest": "Period DocumentReference",
    "Order": "ValidityPeriod QuotationDocumentReference OrderDocumentReference OriginatorDocumentReference CatalogueReference AdditionalDocumentReference Contract ProjectReference",
    "OrderCancellation": "OrderReference OriginatorDocumentReference AdditionalDocumentReference Contract",
    "OrderChange": "ValidityPeriod OrderReference QuotationDocumentReference OriginatorDocumentReference AdditionalDocumentReference Contract",
    "OrderResponse": "ValidityPeriod OrderReference OrderDocumentReference OriginatorDocumentReference AdditionalDocumentReference Contract",
    "OrderResponseSimple": "OrderReference AdditionalDocumentReference",
    "PackingList": "ConsignorParty CarrierParty FreightForwarderParty Shipment DocumentReference DocumentDistribution",
    "PriorInformationNotice": "DocumentReference",
    "ProductActivity": "ActivityPeriod DocumentReference",
    "Quotation": "ValidityPeriod RequestForQuotationDocumentReference AdditionalDocumentReference Contract",
    "ReceiptAdvice": "OrderReference DespatchDocumentReference AdditionalDocumentReference",
    "Reminder": "ReminderPeriod AdditionalDocumentReference",
    "RemittanceAdvice": "InvoicePeriod BillingReference AdditionalDocumentReference",
    "RequestForQuotation": "RequestedValidityPeriod CatalogueDocumentReference AdditionalDocumentReference",
    "RetailEvent": "Period OriginalDocumentReference",
    "SelfBilledCreditNote": "InvoicePeriod DiscrepancyResponse OrderReference BillingReference DespatchDocumentReference ReceiptDocumentReference ContractDocumentReference StatementDocumentReference OriginatorDocumentReference AdditionalDocumentReference",
    "SelfBilledInvoice": "InvoicePeriod OrderReference BillingReference ContractDocumentReference DespatchDocumentReference ReceiptDocumentReference StatementDocumentReference OriginatorDocumentReference AdditionalDocumentReference",
    "Statement": "StatementPeriod AdditionalDocumentReference",
    "StockAvailabilityReport": "InventoryPeriod DocumentReference",
    "Tender": "ValidityPeriod DocumentReference",
    "TenderReceipt": "TenderDocumentReference",
    "TendererQualification": "",
    "TendererQualificationResponse": "SenderParty ReceiverParty ResolutionDocumentReference QualificationResolution AppealTerms",
    "TradeItemLocationProfile": "Period DocumentReference",
    "TransportExecutionPlan": "SenderParty ReceiverParty TransportUserParty TransportServiceProviderParty BillToParty",
    "TransportExecutionPlanRequest": "SenderParty ReceiverParty TransportUserParty TransportServiceProviderParty PayeeParty",
    "TransportProgressStatus": "",
    "TransportProgressStatusRequest": "",
    "TransportServiceDescription": "",
    "TransportServiceDescriptionRequest": "",
    "TransportationStatus": "Consignment TransportEvent DocumentReference",
    "TransportationStatusRequest": "SenderParty ReceiverParty TransportExecutionPlanDocumentReference Consignment DocumentReference",
    "UnawardedNotification": "",
    "UtilityStatement": "ParentDocumentReference AdditionalDocumentReference",
    "Waybill": "ConsignorParty CarrierParty FreightForwarderParty Shipment DocumentReference ExchangeRate DocumentDistribution",
}

CAC_BEFORE_SIGNATURE: dict[str, frozenset[str]] = {
    doc: frozenset(names.split()) for doc, names in _TABLE.items()
}
